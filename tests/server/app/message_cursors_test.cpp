// A session's cursors: every message once and in order, whatever races it.

#include "chat/server/app/message_cursors.hpp"

#include <catch2/catch.hpp>

using namespace chat::server;
using verdict = message_cursors::verdict;

namespace {

frame text(const std::string& s) { return std::make_shared<const std::string>(s); }

stored_message stored(std::uint64_t seq) {
    stored_message m;
    m.seq = seq;
    return m;
}

std::vector<std::string> texts(const std::vector<frame>& frames) {
    std::vector<std::string> out;
    for (const auto& f : frames) out.push_back(*f);
    return out;
}

auto frame_of = [](const stored_message& m) { return text("stored " + std::to_string(m.seq)); };

} // namespace

TEST_CASE("a live message is sent once, and one sent before is dropped", "[server][app][cursor]") {
    message_cursors c;
    CHECK(c.on_live("c1", 1, text("1"), 1000).what == verdict::send);
    CHECK(c.on_live("c1", 2, text("2"), 1000).what == verdict::send);
    CHECK(c.on_live("c1", 2, text("2"), 1000).what == verdict::drop);
    CHECK(c.on_live("c2", 7, text("first seen"), 1000).what == verdict::send); // not followed before: no gap
}

TEST_CASE("live messages during a replay follow the replayed page, each once", "[server][app][cursor]") {
    message_cursors c;
    c.begin_replay("c1", 2); // the client holds 1..2
    // Live 5 and 6 arrive while the stream is read; 4 and 5 are in the page too.
    CHECK(c.on_live("c1", 5, text("live 5"), 1000).what == verdict::hold);
    CHECK(c.on_live("c1", 6, text("live 6"), 1000).what == verdict::hold);
    auto r = c.on_page("c1", {stored(3), stored(4), stored(5)}, 1000, frame_of);
    CHECK(texts(r.frames) == std::vector<std::string>{"stored 3", "stored 4", "stored 5", "live 6"});
    CHECK(r.last_sent == 6u);
    CHECK_FALSE(r.more);
    CHECK(c.on_live("c1", 7, text("live 7"), 1000).what == verdict::send);
}

TEST_CASE("a held message after a gap waits for the next page rather than skip one", "[server][app][cursor]") {
    message_cursors c;
    c.begin_replay("c1", 0);
    c.on_live("c1", 9, text("live 9"), 1000);
    auto r = c.on_page("c1", {stored(1), stored(2)}, 2, frame_of); // a full page: more to read
    CHECK(texts(r.frames) == std::vector<std::string>{"stored 1", "stored 2"});
    CHECK(r.more);
    c.begin_replay("c1", 2); // the client asks for the next page; the live one is in Redis already
    CHECK(texts(c.on_page("c1", {stored(3)}, 2, frame_of).frames) == std::vector<std::string>{"stored 3"});
}

TEST_CASE("the conversations a welcome lists hold live messages until the history request", "[server][app][cursor]") {
    message_cursors c;
    c.hold("c1");
    CHECK(c.on_live("c1", 4, text("live 4"), 1000).what == verdict::hold);
    c.begin_replay("c1", 3);
    CHECK(texts(c.on_page("c1", {}, 1000, frame_of).frames) == std::vector<std::string>{"live 4"});
}

TEST_CASE("a gap in a followed conversation is filled from the stream before what follows it", "[server][app][cursor]") {
    message_cursors c;
    c.on_live("c1", 1, text("1"), 1000);
    // Notifications 2 and 3 were lost on the way.
    auto gap = c.on_live("c1", 4, text("live 4"), 1000);
    REQUIRE(gap.what == verdict::fill);
    CHECK(gap.after == 1u);
    CHECK(c.on_live("c1", 5, text("live 5"), 1000).what == verdict::hold);
    auto r = c.on_page("c1", {stored(2), stored(3), stored(4)}, 1000, frame_of);
    CHECK(texts(r.frames) == std::vector<std::string>{"stored 2", "stored 3", "stored 4", "live 5"});
}

TEST_CASE("the session's own message, answered by its ok, is never sent to it again", "[server][app][cursor]") {
    message_cursors c;
    c.on_live("c1", 1, text("1"), 1000);
    c.on_own("c1", 2);
    CHECK(c.on_live("c1", 3, text("3"), 1000).what == verdict::send); // no gap: 2 was its own
    // Its own message overtook one still on its way: a fill skips it.
    c.on_own("c1", 5);
    auto gap = c.on_live("c1", 6, text("6"), 1000);
    REQUIRE(gap.what == verdict::fill);
    auto r = c.on_page("c1", {stored(4), stored(5), stored(6)}, 1000, frame_of);
    CHECK(texts(r.frames) == std::vector<std::string>{"stored 4", "stored 6"});
}

TEST_CASE("after a resync every followed conversation is read from where it stands", "[server][app][cursor]") {
    message_cursors c;
    c.on_live("c1", 3, text("3"), 1000);
    c.on_live("c2", 8, text("8"), 1000);
    auto followed = c.followed();
    REQUIRE(followed.size() == 2);
    CHECK(followed[0] == std::pair<std::string, std::uint64_t>{"c1", 3});
    CHECK(c.begin_fill("c1"));
    CHECK_FALSE(c.begin_fill("c1")); // one fill at a time
    CHECK(c.on_live("c1", 4, text("4"), 1000).what == verdict::hold);
}
