#include "server_fixture.hpp"

#include <catch2/catch.hpp>

using namespace chat::test;
using chat::protocol::role;
using chat::queue::tier;

TEST_CASE("a customer is queued, offered to an expert who accepts, and they chat both ways", "[integration][story]") {
    server_fixture f;
    auto ada = f.expert("ada");
    auto alice = f.customer("alice", tier::enterprise);
    auto opened = alice->request({{"type", "open"}, {"topic", "billing"}, {"text", "my invoice is wrong"}, {"client_id", "m1"}});
    REQUIRE(opened["type"] == "ok");
    std::string c = opened["conversation"];
    CHECK(opened["seq"] == 1);

    auto offer = ada->wait_for("offered", c);
    CHECK(offer["tier"] == "enterprise");
    REQUIRE(ada->request({{"type", "accept"}, {"conversation", c}})["type"] == "ok");
    auto assigned = alice->wait_for("assigned", c);
    CHECK(assigned["expert_name"] == "ada (name)");

    auto hist = ada->request({{"type", "history"}, {"conversation", c}, {"after", 0}});
    CHECK(hist["type"] == "ok");
    auto first = ada->wait_for("message", c);
    CHECK(first["text"] == "my invoice is wrong");

    auto sent = ada->request({{"type", "send"}, {"conversation", c}, {"text", "let me look"}, {"client_id", "x1"}});
    CHECK(sent["seq"] == 2);
    auto got = alice->wait_for([&](const nlohmann::json& j) { return j["type"] == "message" && j["seq"] == 2; });
    CHECK(got["text"] == "let me look");
    CHECK(got["from"] == "expert");
}

TEST_CASE("a sent message comes back to its connection in the ok and to the sender's other connections as an event",
          "[integration][story]") {
    server_fixture f;
    auto ada = f.expert("ada");
    auto alice = f.customer("alice");
    auto c = server_fixture::open(*alice, "billing", "my invoice is wrong");
    server_fixture::accept(*ada, c);
    auto alice_phone = f.customer("alice");
    // A connection resumes the conversations its welcome lists; live messages follow the replay.
    REQUIRE(alice_phone->request({{"type", "history"}, {"conversation", c}})["seq"] == 1);

    auto sent = server_fixture::say(*alice, c, "it says 40 instead of 30", "m2");
    REQUIRE(sent["type"] == "ok");
    CHECK(sent["seq"] == 2);
    CHECK(sent["at"].is_string());
    auto on_phone = alice_phone->wait_for([](const nlohmann::json& j) { return j["type"] == "message" && j["seq"] == 2; });
    CHECK(on_phone["text"] == "it says 40 instead of 30");
    CHECK(on_phone["at"] == sent["at"]);
    CHECK(ada->wait_for([](const nlohmann::json& j) { return j["type"] == "message" && j["seq"] == 2; })["at"] == sent["at"]);
    // The ping's pong comes after anything sent before it: the sender's copy was its ok alone.
    CHECK(alice->request({{"type", "ping"}})["type"] == "pong");
    CHECK_FALSE(alice->saw([](const nlohmann::json& j) { return j["type"] == "message" && j["seq"] == 2; }, std::chrono::milliseconds(0)));

    auto retried = server_fixture::say(*alice, c, "it says 40 instead of 30", "m2");
    CHECK(retried["seq"] == 2);
}
