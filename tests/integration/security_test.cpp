#include "http_get.hpp"
#include "server_fixture.hpp"

#include <catch2/catch.hpp>

using namespace chat::test;
using namespace std::chrono_literals;
using chat::protocol::role;
using chat::queue::tier;

namespace {

std::string code_of(ws_client& c, const std::string& raw) {
    c.send_raw(raw);
    return c.wait_for("error").value("code", "");
}

bool still_fine(ws_client& c) { return c.request({{"type", "ping"}}).value("type", "") == "pong"; }

} // namespace

TEST_CASE("malformed frames are answered with clear errors and the connection stays", "[integration][security]") {
    server_fixture f;
    auto alice = f.customer("alice");
    CHECK(code_of(*alice, "{not json") == "bad_json");
    CHECK(code_of(*alice, R"({"type":"teleport"})") == "unknown_type");
    CHECK(code_of(*alice, R"({"type":"send","conversation":"c1"})") == "bad_field");
    CHECK(code_of(*alice, R"({"type":"survey","conversation":"c1","rating":"5"})") == "bad_field");
    CHECK(code_of(*alice, std::string(1000, '[')) == "too_deep");
    CHECK(code_of(*alice, R"({"type":"send","conversation":"c1","client_id":"m","text":")" + std::string(70000, 'x') + "\"}") ==
          "too_large");
    alice->send_raw("\x01\x02", true);
    CHECK(alice->wait_for("error")["code"] == "binary_refused");
    auto answer = alice->request({{"type", "history"}, {"conversation", "has space"}});
    CHECK(answer["code"] == "bad_field");
    CHECK(still_fine(*alice));
}

TEST_CASE("a client that keeps sending garbage is disconnected, and the server carries on", "[integration][security]") {
    server_fixture f;
    auto pest = f.customer("pest");
    for (int i = 0; i < 30 && pest->is_open(); ++i) {
        if (pest->try_send_raw("garbage")) break; // the server hung up before the client saw it
        pest->next(200ms);
    }
    while (pest->next(500ms)) {}
    CHECK_FALSE(pest->is_open());
    auto alice = f.customer("alice");
    CHECK(still_fine(*alice));
}

TEST_CASE("a frame over the hard limit closes only that connection", "[integration][security]") {
    server_fixture f;
    auto big = f.customer("big");
    // The server may close before the whole frame is written, so the write itself may fail.
    big->try_send_raw(std::string(2 * 1024 * 1024, ' '));
    while (big->next(500ms)) {}
    CHECK_FALSE(big->is_open());
    auto alice = f.customer("alice");
    CHECK(still_fine(*alice));
}

TEST_CASE("nothing but hello is accepted before authentication, and bad tokens are refused", "[integration][security]") {
    server_fixture f;
    ws_client c(f.port());
    CHECK(c.accepted_protocol() == "chat.v1");
    CHECK(c.request({{"type", "open"}, {"topic", "x"}, {"text", "y"}})["code"] == "not_authenticated");
    CHECK(c.request({{"type", "hello"}, {"token", "a.b.c"}})["code"] == "bad_token");
    auto forged = f.token(role::customer, "alice", tier::enterprise);
    auto mid = forged.find('.') + 5; // a claim character: the signature no longer matches
    forged[mid] = forged[mid] == 'A' ? 'B' : 'A';
    CHECK(c.request({{"type", "hello"}, {"token", forged}})["code"] == "bad_token");
    c.send({{"type", "hello"}, {"token", f.token(role::customer, "alice")}});
    CHECK(c.wait_for("welcome")["tier"] == "standard");
}

TEST_CASE("a token in the Authorization header authenticates the upgrade", "[integration][security]") {
    server_fixture f;
    ws_client c(f.port(), {f.token(role::expert, "ada"), "chat.v1", ""});
    auto welcome = c.wait_for("welcome");
    CHECK(welcome["role"] == "expert");
    CHECK(still_fine(c));
}

TEST_CASE("a role may only send its own messages", "[integration][security]") {
    server_fixture f;
    auto alice = f.customer("alice");
    CHECK(alice->request({{"type", "accept"}, {"conversation", "c1"}})["code"] == "wrong_role");
    CHECK(alice->request({{"type", "subscribe"}})["code"] == "wrong_role");
    auto lead = f.connect(role::monitor, "lead");
    CHECK(lead->request({{"type", "open"}, {"topic", "x"}, {"text", "y"}})["code"] == "wrong_role");
}

TEST_CASE("a customer cannot read or touch another customer's conversation", "[integration][security]") {
    server_fixture f;
    auto alice = f.customer("alice");
    auto c = server_fixture::open(*alice, "billing", "private invoice details");
    auto mallory = f.customer("mallory");
    CHECK(mallory->request({{"type", "history"}, {"conversation", c}})["code"] == "unknown_conversation");
    CHECK(server_fixture::say(*mallory, c, "hi", "x1")["code"] == "unknown_conversation");
    CHECK(mallory->request({{"type", "close"}, {"conversation", c}})["code"] == "unknown_conversation");
    CHECK_FALSE(mallory->saw([](const nlohmann::json& j) { return j["type"] == "message"; }));
}

TEST_CASE("an expert cannot act on a conversation that is not theirs", "[integration][security]") {
    server_fixture f;
    auto ada = f.expert("ada");
    auto alice = f.customer("alice");
    auto c = server_fixture::open(*alice, "billing", "refund please");
    server_fixture::accept(*ada, c);
    auto bob = f.expert("bob");
    // Every request names it as unknown: bob learns nothing of its existence.
    for (const char* type : {"close", "history", "hold", "resume", "hand_off", "accept", "decline", "escalate",
                             "report_conduct", "earlier", "typing"}) {
        INFO(type);
        nlohmann::json req{{"type", type}, {"conversation", c}};
        if (std::string(type) == "escalate") req["summary"] = "x";
        CHECK(bob->request(req)["code"] == "unknown_conversation");
    }
    CHECK(bob->request({{"type", "stay_propose"}, {"conversation", c}, {"at", "2026-01-06T10:00:00Z"}})["code"] ==
          "unknown_conversation");
    CHECK(bob->request({{"type", "mark_duplicate"}, {"conversation", c}, {"of", c}})["code"] == "unknown_conversation");
    CHECK(server_fixture::say(*bob, c, "hijack", "b1")["code"] == "unknown_conversation");
}

TEST_CASE("only the expert who holds a conversation may show typing to its customer", "[integration][security]") {
    server_fixture f;
    auto ada = f.expert("ada");
    auto alice = f.customer("alice");
    auto c = server_fixture::open(*alice, "billing", "refund please");
    ada->wait_for("offered", c);
    // A pending offer is not the conversation yet.
    CHECK(ada->request({{"type", "typing"}, {"conversation", c}})["code"] == "not_allowed");
    REQUIRE(ada->request({{"type", "accept"}, {"conversation", c}})["type"] == "ok");
    ada->send({{"type", "typing"}, {"conversation", c}});
    CHECK(alice->wait_for("typing", c)["from"] == "expert");
    REQUIRE(ada->request({{"type", "hand_off"}, {"conversation", c}})["type"] == "ok");
    // Handed off: no longer hers to type in.
    CHECK(ada->request({{"type", "typing"}, {"conversation", c}})["code"] == "not_allowed");
    CHECK_FALSE(alice->saw([&](const nlohmann::json& j) { return j["type"] == "typing"; }));
}

TEST_CASE("a monitor's open is refused for its role before its fields are read", "[integration][security]") {
    server_fixture f;
    auto lead = f.connect(role::monitor, "lead");
    CHECK(lead->request({{"type", "open"}})["code"] == "wrong_role");
    CHECK(lead->request({{"type", "accept"}, {"conversation", "not an id!"}})["code"] == "wrong_role");
    // A lead may send where they joined: the fields are read, then the hub checks the conversation.
    CHECK(lead->request({{"type", "send"}, {"conversation", "not an id!"}})["code"] == "bad_field");
}

TEST_CASE("a connection that never says hello is closed after the hello deadline", "[integration][security]") {
    server_fixture f([](chat::server::config& c) { c.limits.hello_timeout = 1s; });
    ws_client silent(f.port());
    // It answers pings (Beast does, as browsers do) but never authenticates.
    auto code = silent.wait_closed(5s);
    CHECK(code == 1008);
    // The server forgets it as soon as its close completes.
    for (int i = 0; i < 100 && f.server().gateway().unauthenticated.load() > 0; ++i) std::this_thread::sleep_for(10ms);
    CHECK(f.server().gateway().unauthenticated.load() == 0);
    auto alice = f.customer("alice"); // an authenticated one stays
    CHECK_FALSE(alice->saw([](const nlohmann::json& j) { return j["type"] == "error"; }, 1500ms));
    CHECK(still_fine(*alice));
}

TEST_CASE("connections waiting for their hello have their own, smaller limit", "[integration][security]") {
    server_fixture f([](chat::server::config& c) { c.limits.max_unauthenticated = 2; });
    ws_client one(f.port()), two(f.port());
    CHECK_THROWS(ws_client(f.port())); // the upgrade is answered 503
    one.send({{"type", "hello"}, {"token", f.token(role::customer, "alice")}});
    one.wait_for("welcome");
    ws_client three(f.port()); // a slot is free again
    three.send({{"type", "hello"}, {"token", f.token(role::customer, "bob")}});
    CHECK(three.wait_for("welcome")["user"] == "bob");
}

TEST_CASE("a connection is closed when its token expires, and told why", "[integration][security]") {
    server_fixture f;
    ws_client c(f.port());
    // The fixture's clock is manual; the time left is measured against it.
    chat::server::identity who{role::customer, "alice", "acme", tier::standard, "", "Alice", f.clock.now() + 2s, {}};
    c.send({{"type", "hello"}, {"token", chat::server::mint_token(who, chat::server::token_secret(f.cfg()))}});
    c.wait_for("welcome");
    auto told = c.wait_for("error", 5s);
    CHECK(told["code"] == "bad_token");
    CHECK(c.wait_closed(3s) == 4001);
}

TEST_CASE("policy closes use 1008, so a refused page does not reconnect in a loop", "[integration][security]") {
    server_fixture f([](chat::server::config& c) { c.allowed_origins["customer"] = {"https://app.example"}; });
    ws_client evil(f.port(), {std::nullopt, "chat.v1", "https://evil.example"});
    evil.send({{"type", "hello"}, {"token", f.token(role::customer, "alice")}});
    CHECK(evil.wait_for("error")["code"] == "origin_refused");
    CHECK(evil.wait_closed() == 1008);
    auto pest = f.customer("pest");
    for (int i = 0; i < 30 && pest->is_open(); ++i)
        if (pest->try_send_raw("garbage")) break;
    CHECK(pest->wait_closed() == 1008);
}

TEST_CASE("by default only chatd's own pages may connect from a browser", "[integration][security]") {
    server_fixture f;
    auto own = "http://127.0.0.1:" + std::to_string(f.port());
    ws_client mine(f.port(), {std::nullopt, "chat.v1", own});
    mine.send({{"type", "hello"}, {"token", f.token(role::expert, "ada")}});
    CHECK(mine.wait_for("welcome")["role"] == "expert");
    ws_client other(f.port(), {std::nullopt, "chat.v1", "https://elsewhere.example"});
    other.send({{"type", "hello"}, {"token", f.token(role::expert, "ada")}});
    CHECK(other.wait_for("error")["code"] == "origin_refused");
}

TEST_CASE("a flood of frames is refused and then closed, and every refusal is counted", "[integration][security]") {
    server_fixture f([](chat::server::config& c) {
        c.limits.frames_per_second = 0.001;
        c.limits.frame_burst = 3;
        c.limits.bad_frames_before_close = 5;
    });
    auto flood = f.customer("flood");
    int refused = 0;
    for (int i = 0; i < 50 && flood->is_open(); ++i) {
        if (flood->try_send_raw(R"({"type":"ping"})")) break;
        if (auto j = flood->next(200ms); j && j->value("code", "") == "rate_limited") ++refused;
    }
    CHECK(flood->wait_closed() == 1008);
    for (const auto& j : flood->backlog()) refused += j.value("code", "") == "rate_limited";
    CHECK(refused >= 5);
    auto metrics = http_get(f.port(), "/metrics").body;
    const std::string name = "chatd_refusals_total{code=\"rate_limited\"} ";
    auto at = metrics.find(name);
    REQUIRE(at != std::string::npos);
    CHECK(std::stoi(metrics.substr(at + name.size())) == refused);
}

TEST_CASE("control characters are refused in what people write, newlines and tabs are kept", "[integration][security]") {
    server_fixture f;
    auto alice = f.customer("alice");
    auto c = server_fixture::open(*alice, "billing", "line one\nline\ttwo");
    CHECK(server_fixture::say(*alice, c, std::string("nul\0inside", 10), "m1")["code"] == "bad_field");
    CHECK(server_fixture::say(*alice, c, "escape \x1b[31m red", "m2")["code"] == "bad_field");
    CHECK(server_fixture::say(*alice, c, "fine\r\nstill fine", "m3")["type"] == "ok");
}

TEST_CASE("a frame or token that repeats a key is refused", "[integration][security]") {
    server_fixture f;
    auto alice = f.customer("alice");
    CHECK(code_of(*alice, R"({"type":"ping","type":"open"})") == "bad_json");
    CHECK(still_fine(*alice));
}

TEST_CASE("text that is not valid UTF-8 closes the connection with 1007", "[integration][security]") {
    server_fixture f;
    auto alice = f.customer("alice");
    alice->try_send_raw("{\"type\":\"ping\",\"x\":\"\xff\xfe\"}");
    CHECK(alice->wait_closed() == 1007);
}

TEST_CASE("a history past the last message answers with the real last number", "[integration][security]") {
    server_fixture f;
    auto alice = f.customer("alice");
    auto c = server_fixture::open(*alice, "billing", "refund please");
    auto ok = alice->request({{"type", "history"}, {"conversation", c}, {"after", 500}});
    CHECK(ok["type"] == "ok");
    CHECK(ok["seq"] == 1);
}

TEST_CASE("an Authorization header over 8 KiB is answered, not dropped", "[integration][security]") {
    server_fixture f;
    auto big = http_get(f.port(), "/api/v1/queue", std::string(9000, 'a'));
    CHECK(big.status == 401);
    auto huge = http_get(f.port(), "/api/v1/queue", std::string(20000, 'a'));
    CHECK(huge.status == 431);
}

TEST_CASE("tenants never see each other", "[integration][security]") {
    server_fixture f;
    auto alice = f.customer("alice");
    auto c = server_fixture::open(*alice, "billing", "refund please");
    auto outsider = f.connect(role::expert, "eve", tier::standard, "globex");
    outsider->request({{"type", "presence"}, {"presence", "available"}});
    CHECK_FALSE(outsider->saw([](const nlohmann::json& j) { return j["type"] == "offered"; }));
    auto lead = f.connect(role::monitor, "lead", tier::standard, "globex");
    lead->request({{"type", "subscribe"}});
    CHECK(lead->wait_for("queue_snapshot")["queue"].empty());
    auto token = f.token(role::monitor, "lead", tier::standard, "globex");
    CHECK(http_get(f.port(), "/api/v1/conversations/" + c, token).status == 404);
}

TEST_CASE("a browser page from an origin not on the allow-list is refused", "[integration][security]") {
    server_fixture f([](chat::server::config& c) { c.allowed_origins["customer"] = {"https://app.example"}; });
    ws_client good(f.port(), {std::nullopt, "chat.v1", "https://app.example"});
    good.send({{"type", "hello"}, {"token", f.token(role::customer, "alice")}});
    good.wait_for("welcome");
    ws_client evil(f.port(), {std::nullopt, "chat.v1", "https://evil.example"});
    evil.send({{"type", "hello"}, {"token", f.token(role::customer, "alice")}});
    CHECK(evil.wait_for("error")["code"] == "origin_refused");
    while (evil.next(500ms)) {}
    CHECK_FALSE(evil.is_open());
}
