#include "chat/server/store/records_json.hpp"
#include "chat/server/store/store.hpp"

#include "redis_driver.hpp"
#include "redis_fixture.hpp"

#include <catch2/catch.hpp>

using namespace chat;
using namespace chat::test;

namespace {

// A store on a real, empty Redis, and a way to load from it.
struct stored {
    redis_fixture redis;
    driver d;
    std::shared_ptr<server::redis::client> c = connect(d, endpoint());
    server::store store{c};

    server::redis::endpoint endpoint() const {
        server::redis::endpoint e;
        e.unix_path = redis.server.socket_path().string();
        return e;
    }
    void put(std::vector<server::redis::command> cmds) { REQUIRE_FALSE(d.exec(*c, std::move(cmds))->ec); }
    std::pair<std::error_code, server::loaded_state> load() {
        std::optional<std::pair<std::error_code, server::loaded_state>> r;
        store.load([&](std::error_code ec, server::loaded_state s) { r.emplace(ec, std::move(s)); });
        REQUIRE(d.run_until([&] { return r.has_value(); }));
        return std::move(*r);
    }
};

} // namespace

namespace {

std::error_code commit(stored& s, server::write_batch batch) {
    std::optional<std::error_code> r;
    s.store.commit(std::move(batch), [&](std::error_code ec) { r = ec; });
    REQUIRE(s.d.run_until([&] { return r.has_value(); }));
    return *r;
}

server::write_batch appending(std::uint64_t seq, const std::string& client_id, const std::string& text) {
    server::write_batch b;
    b.append("c1", {seq, queue::party::customer, "alice", "Alice", text, client_id, queue::instant(std::chrono::milliseconds(1000))});
    return b;
}

} // namespace

TEST_CASE("an append refused by Redis is stored only if the message there is the same one", "[server][store]") {
    stored s;
    REQUIRE_FALSE(commit(s, appending(1, "m-1", "hello")));
    // The same message again (a retry after a lost reply): already stored, a success.
    CHECK_FALSE(commit(s, appending(1, "m-1", "hello")));
    // Another message under the same number (another writer): never acknowledged.
    CHECK(commit(s, appending(1, "m-other", "a different message")));
    CHECK(commit(s, appending(1, "m-1", "same id, other text")));
    std::optional<std::vector<server::stored_message>> msgs;
    s.store.messages("c1", 0, 10, [&](std::error_code, std::vector<server::stored_message> m) { msgs = std::move(m); });
    REQUIRE(s.d.run_until([&] { return msgs.has_value(); }));
    REQUIRE(msgs->size() == 1);
    CHECK((*msgs)[0].text == "hello");
}

TEST_CASE("a store fenced off by its lease writes nothing", "[server][store]") {
    stored s;
    bool may = false;
    s.store.fence([&] { return may; });
    CHECK_FALSE(s.store.writable());
    CHECK(commit(s, appending(1, "m-1", "hello")) == server::redis::errc::unavailable);
    may = true;
    CHECK(s.store.writable());
    CHECK_FALSE(commit(s, appending(1, "m-1", "hello")));
}

TEST_CASE("an error reply is an error, and LOADING says Redis is still loading", "[server][store]") {
    server::redis::value loading{server::redis::value::kind::error, 0, "LOADING Redis is loading the dataset in memory", {}};
    CHECK(server::redis::error_of(loading) == server::redis::errc::loading);
    server::redis::value wrong{server::redis::value::kind::error, 0, "WRONGTYPE Operation against a key", {}};
    CHECK(server::redis::error_of(wrong) == server::redis::errc::error_reply);
}

TEST_CASE("a load over keys Redis refuses to read fails cleanly instead of parsing the error", "[server][store]") {
    stored s;
    s.put({{"SET", server::keys::timers, "not a sorted set"}});
    auto [ec, state] = s.load();
    CHECK(ec == server::redis::errc::error_reply);
}

TEST_CASE("stored entries that cannot be read are skipped and counted, the rest loads", "[server][store]") {
    stored s;
    s.put({{"ZADD", server::keys::timers, "1767607200000", "offer_timeout|c1"},
           {"ZADD", server::keys::timers, "1767607200000", "no_such_kind|c2"},
           {"HSET", server::keys::restrictions, "acme/bob", "tomorrow"},
           {"HSET", server::keys::restrictions, "acme/eve", "1767693600000"},
           {"SADD", server::keys::live, "c3"},
           {"SET", server::keys::conversation("c3"), "{not json"}});
    auto [ec, state] = s.load();
    REQUIRE_FALSE(ec);
    CHECK(state.core.timers.size() == 1);
    CHECK(state.core.restrictions.size() == 1);
    CHECK(state.core.conversations.empty());
    CHECK(state.skipped == 3);
}

TEST_CASE("a conversation stored before the record held its numbering is read with it", "[server][store]") {
    queue::conversation c;
    c.id = "c1";
    c.customer = {"acme", "u1", queue::tier::enterprise, "de"};
    auto record = server::to_stored(c);
    for (const char* moved : {"customer_name", "epoch", "ticket", "last_seq", "recent"}) record.erase(moved);
    // The layout of that time: the server's extras beside the core's record.
    nlohmann::json doc{{"record", record},
                       {"epoch", "e1"},
                       {"last_seq", 4},
                       {"recent", {{"m3", 3, 1000}, {"m4", 4}}},
                       {"ticket", "T-c1"},
                       {"customer_name", "Ada"}};
    auto back = server::parse_conversation_doc(doc.dump());
    REQUIRE(back);
    CHECK(back->epoch == "e1");
    CHECK(back->customer_name == "Ada");
    CHECK(back->ticket == "T-c1");
    CHECK(back->messages.last_seq() == 4u);
    CHECK(back->messages.find("m3")->seq == 3u);
    CHECK_FALSE(back->messages.complete()); // the stream may be ahead of what was stored
}

TEST_CASE("a conversation record comes back from its document as it was stored", "[server][store]") {
    queue::conversation c;
    c.id = "c1";
    c.customer = {"acme", "u1", queue::tier::standard, ""};
    c.customer_name = "Ada";
    c.epoch = "e1";
    c.ticket = "T-c1";
    c.messages.add("m1", queue::instant(queue::duration(1000)));
    c.messages.add("m2", queue::instant(queue::duration(2000)));
    server::write_batch batch;
    batch.put(c);
    auto commands = batch.take();
    auto back = server::parse_conversation_doc(commands.at(0).at(2));
    REQUIRE(back);
    CHECK(back->messages.last_seq() == 2u);
    back->messages.learn({});
    CHECK(*back == c);
}
