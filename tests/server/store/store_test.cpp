#include "chat/server/redis/slot.hpp"
#include "chat/server/store/functions.hpp"
#include "chat/server/store/records_json.hpp"
#include "chat/server/store/store.hpp"

#include "redis_driver.hpp"
#include "redis_fixture.hpp"

#include <catch2/catch.hpp>

using namespace chat;
using namespace chat::test;

namespace {

const server::shard_keys shard("s0.7");

// A store of one shard on a real, empty Redis with chatd's functions loaded; `take` holds the
// shard's lease as its owner would.
struct stored {
    redis_fixture redis;
    driver d;
    std::shared_ptr<server::redis::client> c = connect(d, endpoint());
    server::store store{c, shard};

    stored() { put({server::load_functions()}); }
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
    // Takes the lease as `holder`: the epoch, or 0 and who holds it.
    std::pair<std::int64_t, std::string> take(const std::string& holder, const std::string& replaceable = "") {
        std::optional<std::pair<std::int64_t, std::string>> r;
        store.take_lease(holder, 3000ms, replaceable, [&](std::error_code ec, std::int64_t epoch, std::string by) {
            REQUIRE_FALSE(ec);
            r.emplace(epoch, std::move(by));
        });
        REQUIRE(d.run_until([&] { return r.has_value(); }));
        return *r;
    }
    void own(std::int64_t epoch) {
        store.fence([epoch] { return std::optional<std::int64_t>(epoch); });
    }
    std::vector<server::stored_message> messages() {
        std::optional<std::vector<server::stored_message>> msgs;
        store.messages("c1", 0, 10, [&](std::error_code, std::vector<server::stored_message> m) { msgs = std::move(m); });
        REQUIRE(d.run_until([&] { return msgs.has_value(); }));
        return *msgs;
    }
};

std::error_code commit(stored& s, server::write_batch batch) {
    std::optional<std::error_code> r;
    s.store.commit(std::move(batch), [&](std::error_code ec) { r = ec; });
    REQUIRE(s.d.run_until([&] { return r.has_value(); }));
    return *r;
}

server::write_batch appending(std::uint64_t seq, const std::string& client_id, const std::string& text) {
    server::write_batch b(shard);
    b.append("c1", {seq, queue::party::customer, "alice", "Alice", text, client_id, queue::instant(std::chrono::milliseconds(1000))});
    return b;
}

} // namespace

TEST_CASE("a shard's commit rewritten after a lost reply is stored once, and another message under its number is refused",
          "[server][store][commit]") {
    stored s;
    s.own(s.take("node-a host 1 n").first);
    REQUIRE_FALSE(commit(s, appending(1, "m-1", "hello")));
    // The same message again (a retry after a lost reply): already stored, a success.
    CHECK_FALSE(commit(s, appending(1, "m-1", "hello")));
    // Another message under the same number: refused whole, never acknowledged.
    CHECK(commit(s, appending(1, "m-other", "a different message")) == server::redis::errc::error_reply);
    CHECK(commit(s, appending(1, "m-1", "same id, other text")) == server::redis::errc::error_reply);
    // A batch with a conflict writes nothing of the rest either.
    auto batch = appending(2, "m-2", "fine");
    batch.append("c1", {1, queue::party::customer, "alice", "Alice", "not the stored one", "m-x", queue::instant{}});
    CHECK(commit(s, std::move(batch)) == server::redis::errc::error_reply);
    auto stored_now = s.messages();
    REQUIRE(stored_now.size() == 1);
    CHECK(stored_now[0].text == "hello");
}

TEST_CASE("a commit with a stale epoch is refused by Redis and writes nothing", "[server][store][commit]") {
    stored s;
    auto first = s.take("node-a host 1 n").first;
    s.own(first);
    REQUIRE_FALSE(commit(s, appending(1, "m-1", "hello")));
    // The lease lapses (the owner paused) and another node takes the shard: epoch + 1.
    s.put({{"DEL", shard.lease()}});
    auto second = s.take("node-b host 2 n").first;
    CHECK(second == first + 1);
    CHECK(commit(s, appending(2, "m-2", "from the zombie")) == server::redis::errc::fenced);
    CHECK(s.messages().size() == 1);
    // A store that knows it holds no lease does not even ask.
    s.store.fence([] { return std::optional<std::int64_t>(); });
    CHECK_FALSE(s.store.writable());
    CHECK(commit(s, appending(2, "m-2", "hello")) == server::redis::errc::fenced);
}

TEST_CASE("a shard's lease is taken once, renewed by its holder, given back, and a dead process's replaced",
          "[server][store][lease]") {
    stored s;
    auto [epoch, none] = s.take("node-a host 1 n");
    CHECK(epoch == 1);
    auto [refused, held_by] = s.take("node-b host 2 n");
    CHECK(refused == 0);
    CHECK(held_by == "node-a host 1 n 1");
    std::optional<bool> renewed;
    s.store.renew_lease("node-a host 1 n 1", 3000ms, [&](std::error_code, bool ours) { renewed = ours; });
    REQUIRE(s.d.run_until([&] { return renewed.has_value(); }));
    CHECK(*renewed);
    renewed.reset();
    s.store.renew_lease("node-b host 2 n 1", 3000ms, [&](std::error_code, bool ours) { renewed = ours; });
    REQUIRE(s.d.run_until([&] { return renewed.has_value(); }));
    CHECK_FALSE(*renewed);
    // Node a's process is gone: node c, knowing that, replaces its lease at once.
    CHECK(s.take("node-c host 3 n", "node-a host 1 n").first == 2);
    bool released = false;
    s.store.release_lease("node-c host 3 n 2", [&](std::error_code) { released = true; });
    REQUIRE(s.d.run_until([&] { return released; }));
    CHECK(s.take("node-b host 2 n").first == 3);
}

TEST_CASE("every key of a shard is in one Redis Cluster slot, and the shards spread evenly over the slots",
          "[server][store][shards]") {
    server::shard_map map(64);
    std::array<int, 3> per_master{}; // masters holding 0..5460, 5461..10922, 10923..16383
    for (server::shard_id i = 0; i < map.count(); ++i) {
        server::shard_keys k(map.tag(i));
        auto slot = server::redis::key_slot(k.live());
        for (const auto& key : {k.conversation("c1"), k.messages("c1"), k.expert("acme/ada"), k.customer("acme", "u1"),
                                k.timers(), k.restrictions(), k.meta(), k.tickets(), k.lease(), k.epoch()})
            CHECK(server::redis::key_slot(key) == slot);
        CHECK(slot >= i * 16384 / 64);
        CHECK(slot < (i + 1) * 16384 / 64);
        ++per_master[slot * 3 / 16384];
    }
    for (int n : per_master) CHECK((n == 21 || n == 22));
    CHECK(map.shard_of("acme") == server::shard_map(64).shard_of("acme")); // stable
    CHECK(server::redis::crc16("123456789") == 0x31C3);                  // the Redis Cluster spec's test vector
}

TEST_CASE("an error reply is an error, and LOADING says Redis is still loading", "[server][store]") {
    server::redis::value loading{server::redis::value::kind::error, 0, "LOADING Redis is loading the dataset in memory", {}};
    CHECK(server::redis::error_of(loading) == server::redis::errc::loading);
    server::redis::value wrong{server::redis::value::kind::error, 0, "WRONGTYPE Operation against a key", {}};
    CHECK(server::redis::error_of(wrong) == server::redis::errc::error_reply);
}

TEST_CASE("a load over keys Redis refuses to read fails cleanly instead of parsing the error", "[server][store]") {
    stored s;
    s.put({{"SET", shard.timers(), "not a sorted set"}});
    auto [ec, state] = s.load();
    CHECK(ec == server::redis::errc::error_reply);
}

TEST_CASE("stored entries that cannot be read are skipped and counted, the rest loads", "[server][store]") {
    stored s;
    s.put({{"ZADD", shard.timers(), "1767607200000", "offer_timeout|c1"},
           {"ZADD", shard.timers(), "1767607200000", "no_such_kind|c2"},
           {"HSET", shard.restrictions(), "acme/bob", "tomorrow"},
           {"HSET", shard.restrictions(), "acme/eve", "1767693600000"},
           {"SADD", shard.live(), "c3"},
           {"SET", shard.conversation("c3"), "{not json"}});
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

TEST_CASE("a chat message stored after its conversation's record is handed to the core with who wrote it and when",
          "[server][store]") {
    stored s;
    s.own(s.take("node-a host 1 n").first);
    queue::conversation c;
    c.id = "c1";
    c.customer = {"acme", "alice", queue::tier::standard, ""};
    c.messages.add("m1", queue::instant(std::chrono::milliseconds(1000)));
    auto with_record = appending(1, "m1", "my invoice");
    with_record.put(c);
    REQUIRE_FALSE(commit(s, std::move(with_record)));
    {
        auto [ec, state] = s.load();
        REQUIRE_FALSE(ec);
        CHECK(state.core.later_messages.empty()); // the record has seen every message
    }
    server::write_batch alone(shard);
    alone.append("c1", {2, queue::party::expert, "acme/ada", "Ada", "which one?", "a1", queue::instant(std::chrono::milliseconds(5000))});
    REQUIRE_FALSE(commit(s, std::move(alone)));
    auto [ec, state] = s.load();
    REQUIRE_FALSE(ec);
    REQUIRE(state.core.later_messages.size() == 1);
    CHECK(state.core.later_messages[0].conversation == "c1");
    CHECK(state.core.later_messages[0].from == queue::party::expert);
    CHECK(state.core.later_messages[0].at == queue::instant(std::chrono::milliseconds(5000)));
    REQUIRE(state.core.conversations.size() == 1);
    CHECK(state.core.conversations[0].messages.last_seq() == 2u);
}

TEST_CASE("a conversation record comes back from its document as it was stored", "[server][store]") {
    queue::conversation c;
    c.id = "c1";
    c.customer = {"acme", "u1", queue::tier::standard, ""};
    c.customer_name = "Ada";
    c.epoch = "e1";
    c.ticket = "T-c1";
    c.joined = {"acme/lena"};
    c.messages.add("m1", queue::instant(queue::duration(1000)));
    c.messages.add("m2", queue::instant(queue::duration(2000)));
    c.hand_offs.push_back({"acme/ada", "to bob", queue::instant(queue::duration(3000)), "reset", "a call",
                           queue::instant(queue::duration(9000)), "acme/bob", ""});
    c.hand_offs.push_back({"acme/bob", "", queue::instant(queue::duration(4000)), "", "", std::nullopt, std::nullopt, "billing"});
    c.sla.predicted = true;
    c.sla.next_response_breaches = 2;
    c.sla.update_breaches = 1;
    c.replies = {queue::instant(queue::duration(5000)), queue::instant(queue::duration(6000)), true, false};
    server::write_batch batch(shard);
    batch.put(c);
    auto commands = batch.take();
    auto back = server::parse_conversation_doc(commands.at(0).at(2));
    REQUIRE(back);
    CHECK(back->messages.last_seq() == 2u);
    back->messages.learn({});
    CHECK(*back == c);
}

TEST_CASE("audit entries are numbered by their time, or after the last when a clock is behind, and read back by time",
          "[server][store][audit]") {
    stored s;
    s.own(s.take("node-a").first);
    auto at = [](long long ms) { return queue::instant(std::chrono::milliseconds(ms)); };
    auto entry = [&](long long ms, const std::string& action) {
        return server::audit_entry{"acme", "acme/ada", "expert", action, "c1", "", at(ms), "e-" + action};
    };
    server::write_batch first(shard);
    first.audit(entry(5000, "accept"));
    first.audit(entry(4000, "hold")); // a later step merged into the same commit, on a clock behind
    REQUIRE_FALSE(commit(s, std::move(first)));
    server::write_batch second(shard);
    second.audit(entry(3000, "close")); // another node's clock, behind again
    second.audit(entry(9000, "decline"));
    REQUIRE_FALSE(commit(s, std::move(second)));

    std::optional<std::vector<server::audit_entry>> read;
    s.store.audit("acme", at(0), at(10000), 10, [&](std::error_code ec, std::vector<server::audit_entry> e) {
        REQUIRE_FALSE(ec);
        read = std::move(e);
    });
    REQUIRE(s.d.run_until([&] { return read.has_value(); }));
    REQUIRE(read->size() == 4);
    std::vector<std::string> order, ids;
    for (const auto& e : *read) {
        order.push_back(e.action);
        ids.push_back(e.id.substr(0, e.id.find('-')));
    }
    CHECK(order == std::vector<std::string>{"accept", "hold", "close", "decline"});
    CHECK(ids == std::vector<std::string>{"5000", "5000", "5000", "9000"});
    CHECK((*read)[1].at == at(4000)); // its own time is kept
}
