#include "http_get.hpp"
#include "server_fixture.hpp"

#include <catch2/catch.hpp>

using namespace chat::test;
using namespace std::chrono_literals;
using chat::protocol::role;
using chat::queue::tier;

namespace {

// A chatd of its own with Ada and Alice chatting about an invoice.
struct billing_chat {
    server_fixture f;
    std::unique_ptr<ws_client> ada = f.expert("ada");
    std::unique_ptr<ws_client> alice = f.customer("alice");
    std::string c = server_fixture::open(*alice, "billing", "my invoice total is wrong");
    billing_chat() { server_fixture::accept(*ada, c); }
};

} // namespace

TEST_CASE("the customer asks to stay with the expert and is offered to them at the agreed time", "[integration][lifecycle]") {
    billing_chat t;
    REQUIRE(t.alice->request({{"type", "stay_request"}, {"conversation", t.c}})["type"] == "ok");
    t.ada->wait_for("stay_requested", t.c);
    auto at = chat::protocol::format_instant(t.f.clock.now() + 2h);
    REQUIRE(t.ada->request({{"type", "stay_propose"}, {"conversation", t.c}, {"at", at}})["type"] == "ok");
    CHECK(t.alice->wait_for("stay_proposed", t.c)["at"] == at);
    REQUIRE(t.alice->request({{"type", "stay_accept"}, {"conversation", t.c}, {"at", at}})["type"] == "ok");
    CHECK(t.alice->wait_for("scheduled", t.c)["at"] == at);
    auto bob = t.f.expert("bob");
    t.f.advance(2h);
    t.ada->wait_for("offered", t.c);
    CHECK_FALSE(bob->saw([&](const nlohmann::json& j) { return j["type"] == "offered" && j["conversation"] == t.c; }));
}

TEST_CASE("hold and resume by either side", "[integration][lifecycle]") {
    billing_chat t;
    REQUIRE(t.alice->request({{"type", "hold"}, {"conversation", t.c}})["type"] == "ok");
    CHECK(t.ada->wait_for("held", t.c)["by"] == "customer");
    REQUIRE(t.alice->request({{"type", "resume"}, {"conversation", t.c}})["type"] == "ok");
    t.ada->wait_for("resumed", t.c);
    REQUIRE(t.ada->request({{"type", "hold"}, {"conversation", t.c}})["type"] == "ok");
    t.alice->wait_for([&](const nlohmann::json& j) { return j["type"] == "held" && j["by"] == "expert"; });
    REQUIRE(t.ada->request({{"type", "resume"}, {"conversation", t.c}})["type"] == "ok");
    t.alice->wait_for("resumed", t.c);
    // Holding twice is an illegal transition, answered clearly.
    REQUIRE(t.ada->request({{"type", "hold"}, {"conversation", t.c}})["type"] == "ok");
    CHECK(t.ada->request({{"type", "hold"}, {"conversation", t.c}})["code"] == "illegal_transition");
}

TEST_CASE("a silent conversation is saved, a reply in the window reopens it, and after it the reply is refused",
          "[integration][lifecycle]") {
    billing_chat t;
    server_fixture::say(*t.ada, t.c, "does the new total look right?", "a1");
    t.f.advance(31min);
    auto saved = t.alice->wait_for("saved", t.c);
    auto until = *chat::protocol::parse_instant(saved["reopen_until"].get<std::string>());
    CHECK(until > t.f.clock.now() + 7 * 24h); // seven business days, weekends not counted

    auto reply = server_fixture::say(*t.alice, t.c, "it does now, but one more thing", "m2");
    REQUIRE(reply["type"] == "ok");
    t.alice->wait_for("reopened", t.c);

    server_fixture::accept(*t.ada, t.c); // the last expert is preferred
    server_fixture::say(*t.ada, t.c, "go ahead", "a2");
    t.f.advance(31min);
    t.alice->wait_for("saved", t.c);
    t.f.advance(12 * 24h);
    CHECK(t.alice->wait_for("closed", t.c)["reason"] == "expired");
    CHECK(server_fixture::say(*t.alice, t.c, "hello?", "m3")["code"] == "expired");
}

TEST_CASE("a duplicate opening is closed at intake and an expert merges another one", "[integration][lifecycle]") {
    billing_chat t;
    auto again = t.alice->request({{"type", "open"}, {"topic", "billing"}, {"text", "my invoice total is wrong again"}});
    REQUIRE(again["type"] == "ok");
    CHECK(again["conversation"] == t.c); // redirected to the conversation already open
    auto dup = t.alice->wait_for("duplicate");
    CHECK(dup["kept"] == t.c);
    CHECK(t.ada->wait_for([&](const nlohmann::json& j) { return j["type"] == "message" && j["text"] == "my invoice total is wrong again"; })["conversation"] == t.c);

    auto other = server_fixture::open(*t.alice, "login", "password reset mail never arrives");
    server_fixture::accept(*t.ada, other);
    REQUIRE(t.ada->request({{"type", "mark_duplicate"}, {"conversation", other}, {"of", t.c}})["type"] == "ok");
    CHECK(t.alice->wait_for("closed", other)["reason"] == "duplicate");
}

TEST_CASE("an escalation closes the conversation as a ticket", "[integration][lifecycle]") {
    billing_chat t;
    REQUIRE(t.ada->request({{"type", "escalate"}, {"conversation", t.c}, {"summary", "invoice engine bug"}})["type"] == "ok");
    auto e = t.alice->wait_for("escalated", t.c);
    CHECK(e["ticket"] == "T-" + t.c);
    CHECK(e["respond_by"] == "2026-01-08T00:00:00Z"); // Standard severity 3, Monday: by the end of the 2nd business day
    CHECK(t.alice->wait_for("closed", t.c)["reason"] == "escalated");
}

TEST_CASE("conduct: a warning, then a restriction that refuses new conversations", "[integration][lifecycle]") {
    server_fixture f([](chat::server::config& c) { c.policy.conduct_words = {"idiot"}; });
    auto ada = f.expert("ada");
    auto alice = f.customer("alice");
    auto c = server_fixture::open(*alice, "billing", "refund please");
    server_fixture::accept(*ada, c);
    server_fixture::say(*alice, c, "you idiot", "m2");
    CHECK(alice->wait_for("warned", c)["offences"] == 1);
    CHECK(ada->wait_for("warned", c)["offences"] == 1);
    server_fixture::say(*alice, c, "idiot", "m3");
    server_fixture::say(*alice, c, "idiot!", "m4");
    CHECK(alice->wait_for("closed", c)["reason"] == "conduct");
    alice->wait_for("restricted");
    auto refused = alice->request({{"type", "open"}, {"topic", "x"}, {"text", "let me back in"}});
    CHECK(refused["code"] == "restricted");
}

TEST_CASE("closing asks for a survey and the answer is kept", "[integration][lifecycle]") {
    billing_chat t;
    REQUIRE(t.ada->request({{"type", "close"}, {"conversation", t.c}})["type"] == "ok");
    CHECK(t.alice->wait_for("closed", t.c)["reason"] == "resolved");
    t.alice->wait_for("survey_request", t.c);
    CHECK(t.alice->request({{"type", "survey"}, {"conversation", t.c}, {"rating", 9}})["code"] == "bad_field");
    REQUIRE(t.alice->request({{"type", "survey"}, {"conversation", t.c}, {"rating", 5}, {"comment", "quick!"}})["type"] == "ok");
    // The stored conversation keeps the answer, as the read API shows.
    auto lead = t.f.token(role::monitor, "lead");
    auto read = http_get(t.f.port(), "/api/v1/conversations/" + t.c, lead);
    REQUIRE(read.status == 200);
    auto doc = nlohmann::json::parse(read.body);
    CHECK(doc["conversation"]["survey"]["rating"] == 5);
    CHECK(doc["conversation"]["survey"]["comment"] == "quick!");
    CHECK(doc["transcript"][0]["text"] == "my invoice total is wrong");
}

TEST_CASE("an expert sees the customer's earlier conversations, newest first, and only of that customer",
          "[integration][lifecycle]") {
    billing_chat t;
    REQUIRE(t.ada->request({{"type", "close"}, {"conversation", t.c}})["type"] == "ok");
    auto later = server_fixture::open(*t.alice, "exports", "the csv export has no header row");
    server_fixture::accept(*t.ada, later);
    auto carol = t.f.customer("carol");
    server_fixture::open(*carol, "billing", "my invoice total is wrong");

    auto answer = t.ada->request({{"type", "earlier"}, {"conversation", later}});
    REQUIRE(answer["type"] == "earlier");
    REQUIRE(answer["conversations"].size() == 1);
    const auto& first = answer["conversations"][0];
    CHECK(first["conversation"] == t.c);
    CHECK(first["topic"] == "billing");
    CHECK(first["state"] == "closed");
    CHECK(first["closed_reason"] == "resolved");
    CHECK(first["expert_name"] == "ada (name)");

    // Only someone who may see the conversation may ask; customers may not ask at all.
    auto bob = t.f.expert("bob");
    CHECK(bob->request({{"type", "earlier"}, {"conversation", later}})["code"] == "unknown_conversation");
    CHECK(t.alice->request({{"type", "earlier"}, {"conversation", later}})["code"] == "wrong_role");
}
