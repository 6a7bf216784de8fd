#include "http_get.hpp"
#include "server_fixture.hpp"

#include "chat/server/log.hpp"

#include <signal.h>

#include <fstream>
#include <functional>
#include <mutex>

#include <catch2/catch.hpp>

using namespace chat::test;
using namespace std::chrono_literals;
using chat::protocol::role;
using chat::queue::tier;

namespace {

int http_get_ready(unsigned short port) { return http_get(port, "/readyz").status; }

std::vector<std::uint64_t> seqs_of_messages(ws_client& c, const std::string& conversation) {
    std::vector<std::uint64_t> seqs;
    while (auto j = c.next(300ms))
        if ((*j)["type"] == "message" && (*j)["conversation"] == conversation) seqs.push_back((*j)["seq"]);
    return seqs;
}

// Ada and Alice chat (`story`), then chatd stops without draining and starts again: the
// conversation's id.
std::string chat_then_restart(server_fixture& f, const std::function<void(ws_client&, ws_client&, const std::string&)>& story) {
    std::string c;
    {
        auto ada = f.expert("ada");
        auto alice = f.customer("alice");
        c = server_fixture::open(*alice, "billing", "my invoice total is wrong");
        server_fixture::accept(*ada, c);
        story(*ada, *alice, c);
    }
    f.restart();
    return c;
}

bool saw_saved(ws_client& c) {
    return c.saw([](const nlohmann::json& j) { return j["type"] == "saved"; });
}

} // namespace

TEST_CASE("after a restart the conversation resumes from the last message seen: nothing lost, nothing twice",
          "[integration][recovery]") {
    server_fixture f;
    std::string c;
    {
        auto ada = f.expert("ada");
        auto alice = f.customer("alice");
        c = server_fixture::open(*alice, "billing", "one");
        server_fixture::accept(*ada, c);
        server_fixture::say(*ada, c, "two", "a2");
        server_fixture::say(*alice, c, "three", "m3");
        alice->close(); // Alice saw up to 3, then her network went away
        server_fixture::say(*ada, c, "four", "a4");
        server_fixture::say(*ada, c, "five", "a5");
    }
    f.restart();
    CHECK(f.report.conversations == 1);

    auto alice = f.customer("alice");
    auto ada = f.connect(role::expert, "ada"); // back within the grace period: still hers
    auto resumed = alice->request({{"type", "history"}, {"conversation", c}, {"after", 3}});
    REQUIRE(resumed["type"] == "ok");
    CHECK(resumed["seq"] == 5);
    CHECK(seqs_of_messages(*alice, c) == std::vector<std::uint64_t>{4, 5});
    auto six = server_fixture::say(*ada, c, "six", "a6");
    CHECK(six["seq"] == 6);
    CHECK(alice->wait_for("message", c)["seq"] == 6);
}

TEST_CASE("after a restart a send retried with an earlier message's id gets its number and is not stored again",
          "[integration][recovery]") {
    server_fixture f;
    std::string c;
    {
        auto ada = f.expert("ada");
        auto alice = f.customer("alice");
        c = server_fixture::open(*alice, "billing", "one");
        server_fixture::accept(*ada, c);
        CHECK(server_fixture::say(*alice, c, "two", "m2")["seq"] == 2);
        CHECK(server_fixture::say(*alice, c, "three", "m3")["seq"] == 3);
        CHECK(server_fixture::say(*ada, c, "four", "a4")["seq"] == 4);
    }
    f.restart();

    // Alice's widget never saw the answers to m2 and m3 and sends them again.
    auto alice = f.customer("alice");
    auto ada = f.connect(role::expert, "ada");
    CHECK(server_fixture::say(*alice, c, "two", "m2")["seq"] == 2);
    CHECK(server_fixture::say(*alice, c, "three", "m3")["seq"] == 3);
    CHECK(server_fixture::say(*alice, c, "five", "m5")["seq"] == 5);
    alice->next(300ms);
    auto replay = alice->request({{"type", "history"}, {"conversation", c}, {"after", 0}});
    CHECK(replay["seq"] == 5);
    CHECK(seqs_of_messages(*alice, c) == std::vector<std::uint64_t>{1, 2, 3, 4, 5});
}

TEST_CASE("the queue comes back in the same order after a restart", "[integration][recovery]") {
    server_fixture f;
    std::vector<std::string> order;
    {
        auto s1 = f.customer("s1");
        auto e1 = f.customer("e1", tier::enterprise);
        auto s2 = f.customer("s2");
        order = {server_fixture::open(*s1, "a", "first standard"), server_fixture::open(*e1, "b", "the enterprise one"),
                 server_fixture::open(*s2, "c", "second standard")};
    }
    f.restart();
    auto lead = f.connect(role::monitor, "lead");
    lead->request({{"type", "subscribe"}});
    auto snap = lead->wait_for("queue_snapshot");
    REQUIRE(snap["queue"].size() == 3);
    CHECK(snap["queue"][0]["conversation"] == order[1]);
    CHECK(snap["queue"][1]["conversation"] == order[0]);
    CHECK(snap["queue"][2]["conversation"] == order[2]);
}

TEST_CASE("timers that fell due while chatd was down fire when it comes back", "[integration][recovery]") {
    server_fixture f;
    std::string c;
    {
        auto ada = f.expert("ada");
        auto alice = f.customer("alice");
        c = server_fixture::open(*alice, "billing", "refund please");
        ada->wait_for("offered", c);
    }
    f.clock.advance(10min); // chatd is down past the offer timeout and Ada's grace period
    f.restart();
    auto alice = f.customer("alice");
    auto welcome_state = alice->request({{"type", "history"}, {"conversation", c}});
    CHECK(welcome_state["type"] == "ok");
    auto bob = f.expert("bob");
    server_fixture::accept(*bob, c); // the missed offer went back to the queue
}

TEST_CASE("after a restart the inactivity clock runs from the expert's last message, which was stored alone",
          "[integration][recovery]") {
    server_fixture f;
    auto c = chat_then_restart(f, [&](ws_client& ada, ws_client& alice, const std::string& id) {
        server_fixture::say(ada, id, "which invoice?", "a1");
        f.advance(10min);
        server_fixture::say(alice, id, "the March one", "m2");
        f.advance(10min);
        server_fixture::say(ada, id, "found it, looking now", "a2");
    });
    auto ada = f.expert("ada"); // back within the grace period: still hers
    auto alice = f.customer("alice");
    f.advance(15min); // 35 minutes after the expert's first message, 15 after her last
    CHECK_FALSE(saw_saved(*alice));
    f.advance(16min);
    alice->wait_for("saved", c);
}

TEST_CASE("after a restart a customer's answer, stored alone, still stops the inactivity clock", "[integration][recovery]") {
    server_fixture f;
    auto c = chat_then_restart(f, [&](ws_client& ada, ws_client& alice, const std::string& id) {
        server_fixture::say(ada, id, "which invoice?", "a1");
        f.advance(5min);
        server_fixture::say(alice, id, "the March one", "m2");
    });
    auto ada = f.expert("ada");
    auto alice = f.customer("alice");
    f.advance(40min);
    CHECK_FALSE(saw_saved(*alice));
    server_fixture::say(*ada, c, "anything else?", "a2");
    f.advance(31min);
    alice->wait_for("saved", c);
}

TEST_CASE("a retried send is stored once and answered with the same sequence number", "[integration][recovery]") {
    server_fixture f;
    auto ada = f.expert("ada");
    auto alice = f.customer("alice");
    auto c = server_fixture::open(*alice, "billing", "one");
    server_fixture::accept(*ada, c);
    auto first = server_fixture::say(*alice, c, "two", "m2");
    auto again = server_fixture::say(*alice, c, "two", "m2");
    CHECK(first["seq"] == again["seq"]);
    seqs_of_messages(*ada, c); // what came live
    ada->request({{"type", "history"}, {"conversation", c}});
    CHECK(seqs_of_messages(*ada, c) == std::vector<std::uint64_t>{1, 2});
}

TEST_CASE("a client holding another epoch's history is told to resync and gets it all", "[integration][recovery]") {
    server_fixture f;
    auto alice = f.customer("alice");
    auto c = server_fixture::open(*alice, "billing", "one");
    server_fixture::say(*alice, c, "two", "m2");
    while (alice->next(200ms)) {}
    alice->send({{"type", "history"}, {"conversation", c}, {"after", 2}, {"epoch", "e-other"}});
    CHECK(alice->wait_for("resync", c)["epoch"] != "e-other");
    CHECK(seqs_of_messages(*alice, c) == std::vector<std::uint64_t>{1, 2});
}

TEST_CASE("when Redis goes away writes are refused as unavailable, and all is well once it is back",
          "[integration][recovery]") {
    redis_fixture redis;
    server_fixture f([&](chat::server::config& c) {
        c.redis_url = "unix://" + redis.server.socket_path().string();
        c.redis_timeout = 500ms;
    });
    auto ada = f.expert("ada");
    auto alice = f.customer("alice");
    auto c = server_fixture::open(*alice, "billing", "one");
    server_fixture::accept(*ada, c);
    redis.server.stop(); // a clean shutdown writes the AOF
    std::this_thread::sleep_for(300ms);
    auto refused = server_fixture::say(*alice, c, "are you there?", "m2");
    CHECK(refused["code"] == "unavailable");
    CHECK(alice->is_open());
    auto ready = http_get_ready(f.port());
    CHECK(ready == 503);
    redis.server.restart();
    nlohmann::json sent;
    for (int i = 0; i < 50; ++i) {
        sent = server_fixture::say(*alice, c, "are you there?", "m2");
        if (sent["type"] == "ok") break;
        std::this_thread::sleep_for(100ms);
    }
    REQUIRE(sent["type"] == "ok");
    CHECK(sent["seq"] == 2);
    CHECK(ada->wait_for([](const nlohmann::json& j) { return j["type"] == "message" && j["seq"] == 2; })["text"] ==
          "are you there?");
}

namespace {

pid_t embedded_redis_pid(const server_fixture& f) {
    std::ifstream pidfile(f.data_dir() / "redis" / "redis.pid");
    pid_t pid = -1;
    pidfile >> pid;
    return pid;
}

// Sends until an ok comes (Redis coming back), at most `tries` times.
nlohmann::json send_until_ok(ws_client& who, const std::string& c, const std::string& text, const std::string& id,
                             int tries = 100) {
    nlohmann::json sent;
    for (int i = 0; i < tries; ++i) {
        sent = server_fixture::say(who, c, text, id);
        if (sent["type"] == "ok") break;
        std::this_thread::sleep_for(100ms);
    }
    return sent;
}

} // namespace

TEST_CASE("a stalled Redis is noticed: requests past the deadline are answered unavailable and /readyz follows",
          "[integration][recovery]") {
    server_fixture f([](chat::server::config& c) { c.redis_timeout = 500ms; });
    auto alice = f.customer("alice");
    auto c = server_fixture::open(*alice, "billing", "one");
    auto redis = embedded_redis_pid(f);
    REQUIRE(redis > 0);
    ::kill(redis, SIGSTOP);
    auto stalled = std::chrono::steady_clock::now();
    auto answer = server_fixture::say(*alice, c, "are you there?", "m2");
    auto waited = std::chrono::steady_clock::now() - stalled;
    CHECK(answer["code"] == "unavailable");
    CHECK(waited < 3s); // the deadline (0.5 s) and not the length of the stall
    // Idle, the health check notices it too.
    bool not_ready = false;
    for (int i = 0; i < 30 && !not_ready; ++i, std::this_thread::sleep_for(100ms)) not_ready = http_get_ready(f.port()) == 503;
    CHECK(not_ready);
    ::kill(redis, SIGCONT);
    // The retry with the same client id is stored once.
    auto sent = send_until_ok(*alice, c, "are you there?", "m2");
    REQUIRE(sent["type"] == "ok");
    CHECK(sent["seq"] == 2);
    CHECK(sent["at"].is_string());
    CHECK(http_get_ready(f.port()) == 200);
}

TEST_CASE("an embedded Redis that dies is started again and chatd carries on", "[integration][recovery]") {
    std::vector<std::string> lines;
    std::mutex lines_mutex;
    chat::server::set_log_sink([&](std::string_view line) {
        std::lock_guard lock(lines_mutex);
        lines.emplace_back(line);
    });
    {
        server_fixture f([](chat::server::config& c) { c.redis_timeout = 500ms; });
        auto alice = f.customer("alice");
        auto c = server_fixture::open(*alice, "billing", "one");
        auto first = embedded_redis_pid(f);
        ::kill(first, SIGKILL);
        auto sent = send_until_ok(*alice, c, "still there?", "m2");
        REQUIRE(sent["type"] == "ok");
        CHECK(sent["seq"] == 2);
        auto second = embedded_redis_pid(f);
        CHECK(second != first);
        // The dead one was reaped: no zombie is left behind.
        std::ifstream stat("/proc/" + std::to_string(first) + "/stat");
        CHECK_FALSE(stat.good());
    }
    chat::server::set_log_sink({});
    std::string all;
    for (const auto& l : lines) all += l + "\n";
    INFO(all);
    CHECK_THAT(all, Catch::Matchers::Contains("was killed by signal"));
    CHECK_THAT(all, Catch::Matchers::Contains("embedded redis-server running again"));
    CHECK_THAT(all, Catch::Matchers::Contains("is answering again after"));
}

TEST_CASE("a commit that fails and then recovers is logged with its figures", "[integration][recovery]") {
    std::vector<std::string> lines;
    std::mutex lines_mutex;
    chat::server::set_log_sink([&](std::string_view line) {
        std::lock_guard lock(lines_mutex);
        lines.emplace_back(line);
    });
    {
        redis_fixture redis;
        server_fixture f([&](chat::server::config& c) {
            c.redis_url = "unix://" + redis.server.socket_path().string();
            c.redis_timeout = 500ms;
        });
        auto alice = f.customer("alice");
        auto c = server_fixture::open(*alice, "billing", "one");
        ::kill(redis.server.pid(), SIGSTOP);
        CHECK(server_fixture::say(*alice, c, "during the stall", "m2")["code"] == "unavailable");
        ::kill(redis.server.pid(), SIGCONT);
        REQUIRE(send_until_ok(*alice, c, "during the stall", "m2")["seq"] == 2);
    }
    chat::server::set_log_sink({});
    std::string all;
    for (const auto& l : lines) all += l + "\n";
    INFO(all);
    CHECK_THAT(all, Catch::Matchers::Contains("a commit failed (1 steps)"));
    CHECK_THAT(all, Catch::Matchers::Contains("commits recovered after"));
    CHECK_THAT(all, Catch::Matchers::Contains("did not answer within 500 ms"));
}

TEST_CASE("after a restart live messages wait for the connection's history: one ordered stream, each message once",
          "[integration][recovery]") {
    server_fixture f;
    std::string c;
    {
        auto ada = f.expert("ada");
        auto alice = f.customer("alice");
        c = server_fixture::open(*alice, "billing", "one");
        server_fixture::accept(*ada, c);
        for (int i = 2; i <= 4; ++i) server_fixture::say(*ada, c, "before " + std::to_string(i), "a" + std::to_string(i));
    }
    f.restart();
    auto ada = f.expert("ada");
    REQUIRE(ada->request({{"type", "history"}, {"conversation", c}, {"after", 4}})["type"] == "ok");
    // Alice's widget reconnects: its welcome lists the conversation; she has seen up to 2.
    ws_client alice(f.port());
    alice.send({{"type", "hello"}, {"token", f.token(role::customer, "alice")}});
    REQUIRE(alice.wait_for("welcome")["conversations"].size() == 1);
    // Messages go on before her history request reaches chatd.
    for (int i = 5; i <= 9; ++i) REQUIRE(server_fixture::say(*ada, c, "live " + std::to_string(i), "a" + std::to_string(i))["type"] == "ok");
    auto done = alice.request({{"type", "history"}, {"conversation", c}, {"after", 2}});
    CHECK(done["seq"] == 9);
    for (int i = 10; i <= 12; ++i) REQUIRE(server_fixture::say(*ada, c, "after " + std::to_string(i), "a" + std::to_string(i))["type"] == "ok");
    while (alice.next(300ms)) {} // until quiet
    // Every frame she received, in arrival order.
    std::vector<std::uint64_t> seen;
    for (const auto& frame : alice.received())
        if (auto j = nlohmann::json::parse(frame); j["type"] == "message") seen.push_back(j["seq"]);
    std::vector<std::uint64_t> expected;
    for (std::uint64_t s = 3; s <= 12; ++s) expected.push_back(s);
    CHECK(seen == expected);
}

TEST_CASE("a chatd restarted under the same node id is ready only once every shard it takes is serving",
          "[integration][recovery]") {
    // Conversations of many tenants, so of many shards, all held by the earlier incarnation.
    server_fixture f([](chat::server::config& cfg) { cfg.cluster.node_id = "node-a"; });
    std::vector<std::pair<std::string, std::string>> opened; // tenant, conversation
    for (int i = 0; i < 24; ++i) {
        auto tenant = "tenant-" + std::to_string(i);
        auto c = f.connect(role::customer, "cust", tier::standard, tenant);
        opened.emplace_back(tenant, server_fixture::open(*c, "setup", "question " + std::to_string(i)));
    }
    f.restart();
    CHECK(f.report.conversations == opened.size());
    for (const auto& [tenant, conversation] : opened) {
        auto c = f.connect(role::customer, "cust", tier::standard, tenant);
        auto page = c->request({{"type", "history"}, {"conversation", conversation}, {"after", 0}});
        CHECK(page["type"] == "ok");
    }
}
