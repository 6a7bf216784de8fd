// The history cursors: a replay racing live delivery sends each message once, in order.

#include "chat/server/app/message_cursors.hpp"

#include <catch2/catch.hpp>

using namespace chat::server;

namespace {

struct quiet_participant : participant {
    quiet_participant() : participant(identity{}) {}
    void deliver(frame) override {}
};

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
    message_cursors cursors;
    quiet_participant p;
    CHECK(cursors.on_live(&p, "c1", 1, text("1"), 1000));
    CHECK(cursors.on_live(&p, "c1", 2, text("2"), 1000));
    CHECK_FALSE(cursors.on_live(&p, "c1", 2, text("2"), 1000));
    CHECK(cursors.on_live(&p, "c2", 1, text("other conversation"), 1000));
}

TEST_CASE("live messages during a replay follow the replayed page, each once", "[server][app][cursor]") {
    message_cursors cursors;
    quiet_participant p;
    cursors.begin_replay(&p, "c1", 2); // the client holds 1..2
    // Live 5 and 6 arrive while the stream is read; 4 and 5 are in the page too.
    CHECK_FALSE(cursors.on_live(&p, "c1", 5, text("live 5"), 1000));
    CHECK_FALSE(cursors.on_live(&p, "c1", 6, text("live 6"), 1000));
    auto r = cursors.on_page(&p, "c1", {stored(3), stored(4), stored(5)}, 1000, frame_of);
    CHECK(texts(r.frames) == std::vector<std::string>{"stored 3", "stored 4", "stored 5", "live 6"});
    CHECK(r.last_sent == 6u);
    CHECK(cursors.on_live(&p, "c1", 7, text("live 7"), 1000));
}

TEST_CASE("a held message after a gap waits for the next page rather than skip one", "[server][app][cursor]") {
    message_cursors cursors;
    quiet_participant p;
    cursors.begin_replay(&p, "c1", 0);
    cursors.on_live(&p, "c1", 9, text("live 9"), 1000);
    auto r = cursors.on_page(&p, "c1", {stored(1), stored(2)}, 2, frame_of); // a full page: more to read
    CHECK(texts(r.frames) == std::vector<std::string>{"stored 1", "stored 2"});
    CHECK(r.last_sent == 2u);
    // The client asks for the next page; the live one is in Redis already.
    cursors.begin_replay(&p, "c1", 2);
    auto next = cursors.on_page(&p, "c1", {stored(3)}, 2, frame_of);
    CHECK(texts(next.frames) == std::vector<std::string>{"stored 3"});
}

TEST_CASE("the conversations a welcome lists hold live messages until the history request", "[server][app][cursor]") {
    message_cursors cursors;
    quiet_participant p;
    cursors.hold(&p, "c1");
    CHECK_FALSE(cursors.on_live(&p, "c1", 4, text("live 4"), 1000));
    cursors.begin_replay(&p, "c1", 3);
    auto r = cursors.on_page(&p, "c1", {}, 1000, frame_of);
    CHECK(texts(r.frames) == std::vector<std::string>{"live 4"});
}

TEST_CASE("a replay of a session that left sends nothing", "[server][app][cursor]") {
    message_cursors cursors;
    quiet_participant p;
    cursors.begin_replay(&p, "c1", 0);
    cursors.forget(&p);
    CHECK(cursors.on_page(&p, "c1", {stored(1)}, 1000, frame_of).gone);
}
