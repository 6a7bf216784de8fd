// A data directory written by chatd before shards (tests/data/pre-shards: one key space for
// every tenant) is moved into its tenants' shards at start, and nothing in it is lost.

#include "chat/server/log.hpp"
#include "chat/server/store/shards.hpp"

#include "redis_driver.hpp"
#include "server_fixture.hpp"

#include <catch2/catch.hpp>

#include <mutex>

using namespace chat::test;
using chat::protocol::role;

namespace {

// The conversations the fixture holds (its README says how they were left).
const std::string alices = "ccedac6597ada5e83", bobs = "c08a8f6c5ed3e97bc", carols = "ce03e8829be2a48d0";

} // namespace

TEST_CASE("a data directory written before shards is moved to its tenants' shards at start, whole", "[integration][migration]") {
    temp_dir copy;
    std::filesystem::copy(std::filesystem::path(CHAT_SOURCE_DIR) / "tests" / "data" / "pre-shards", copy.path(),
                          std::filesystem::copy_options::recursive);
    std::mutex m;
    std::string logged;
    chat::server::set_log_sink([&](std::string_view line) {
        std::lock_guard lock(m);
        logged.append(line).append("\n");
    });
    {
        server_fixture f([&](chat::server::config& cfg) { cfg.data_dir = copy.path(); });
        chat::server::set_log_sink({});
        INFO(logged);
        CHECK_THAT(logged, Catch::Matchers::Contains("moved 5 conversations, 2 experts"));
        CHECK(f.report.conversations == 5);

        // Alice's conversation goes on where it was, numbered on from its stream.
        auto alice = f.customer("alice", chat::queue::tier::enterprise);
        auto replay = alice->request({{"type", "history"}, {"conversation", alices}, {"after", 0}});
        CHECK(replay["seq"] == 4);
        CHECK(server_fixture::say(*alice, alices, "thanks", "a3")["seq"] == 4); // a retry of the last one: stored once
        CHECK(server_fixture::say(*alice, alices, "and one more thing", "a4")["seq"] == 5);
        auto ada = f.connect(role::expert, "ada");
        auto welcome = nlohmann::json::parse(ada->received().front());
        REQUIRE(welcome["conversations"].size() == 1);
        CHECK(welcome["conversations"][0]["last_seq"] == 5);

        // Bob's escalation kept its ticket; Carol, of another tenant, is still in line there.
        auto bob = f.customer("bob", chat::queue::tier::enterprise);
        auto history = bob->request({{"type", "history"}, {"conversation", bobs}, {"after", 0}});
        CHECK(history["type"] == "ok");
        auto lead = f.connect(role::monitor, "lead", chat::queue::tier::standard, "globex");
        lead->request({{"type", "subscribe"}});
        auto line = lead->wait_for("queue_snapshot");
        REQUIRE(line["queue"].size() == 1);
        CHECK(line["queue"][0]["conversation"] == carols);
    }
    // Nothing of the old layout is left, and the ticket is in acme's shard now.
    server_fixture again([&](chat::server::config& cfg) { cfg.data_dir = copy.path(); });
    CHECK(again.report.conversations == 5);
    driver d;
    chat::server::redis::endpoint e;
    e.unix_path = (copy.path() / "redis" / "redis.sock").string();
    auto c = connect(d, e);
    auto old = d.exec(*c, {{"EXISTS", "chat:live", "chat:experts", "chat:timers", "chat:meta", "chat:tickets", "chat:owner",
                            "chat:{c:" + alices + "}:state"}});
    CHECK(old->replies.at(0).integer == 0);
    chat::server::shard_map map;
    chat::server::shard_keys acme(map.tag(map.shard_of("acme")));
    auto tickets = d.exec(*c, {{"XRANGE", acme.tickets(), "-", "+"}});
    REQUIRE(tickets->replies.at(0).elements.size() == 1);
}
