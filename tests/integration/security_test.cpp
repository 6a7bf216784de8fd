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
    CHECK(bob->request({{"type", "close"}, {"conversation", c}})["code"] == "not_allowed");
    CHECK(bob->request({{"type", "history"}, {"conversation", c}})["code"] == "unknown_conversation");
    CHECK(server_fixture::say(*bob, c, "hijack", "b1")["code"] == "unknown_conversation");
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
