#include "http_get.hpp"
#include "server_fixture.hpp"

#include <catch2/catch.hpp>

using namespace chat::test;
using namespace std::chrono_literals;
using chat::protocol::role;
using chat::queue::tier;

TEST_CASE("an Enterprise customer who arrives later is served before a waiting Standard one", "[integration][routing]") {
    server_fixture f;
    auto standard = f.customer("sam");
    auto enterprise = f.customer("erin", tier::enterprise);
    auto s = server_fixture::open(*standard, "export", "csv export is empty");
    auto e = server_fixture::open(*enterprise, "sso", "cannot sign in with sso");
    // The Standard customer moves back to second place, told in the next position pass (the
    // second opening came within a second of the first one's).
    f.advance(1s);
    standard->wait_for([&](const nlohmann::json& j) { return j["type"] == "queued" && j["position"] == 2; });

    auto monitor = f.connect(role::monitor, "lead");
    REQUIRE(monitor->request({{"type", "subscribe"}})["type"] == "ok");
    auto snap = monitor->wait_for("queue_snapshot");
    REQUIRE(snap["queue"].size() == 2);
    CHECK(snap["queue"][0]["conversation"] == e);
    CHECK(snap["tiers"]["enterprise"]["depth"] == 1);
    CHECK(snap["tiers"]["standard"]["depth"] == 1);

    auto ada = f.expert("ada", 1);
    auto offer = ada->wait_for("offered");
    CHECK(offer["conversation"] == e);
    auto delta = monitor->wait_for([&](const nlohmann::json& j) { return j["type"] == "queue_delta" && j["order"].size() == 1; });
    CHECK(delta["order"][0] == s);
}

TEST_CASE("a waiting customer who comes back hears their place in the line at once", "[integration][routing]") {
    server_fixture f;
    auto ada = f.expert("ada", 1);
    auto alice = f.customer("alice");
    server_fixture::accept(*ada, server_fixture::open(*alice, "billing", "refund please"));
    auto sam = f.customer("sam");
    auto c = server_fixture::open(*sam, "export", "csv export is empty");
    sam->wait_for("queued", c);
    sam.reset(); // a reload
    auto back = f.customer("sam");
    auto place = back->wait_for("queued", c);
    CHECK(place["position"] == 1);
    CHECK(place["estimated_wait_s"] == 600); // one expert, busy, ten minutes assumed per conversation
}

TEST_CASE("a missed offer goes to the next expert and the one who missed it is set away", "[integration][routing]") {
    server_fixture f;
    auto ada = f.expert("ada");
    auto alice = f.customer("alice");
    auto c = server_fixture::open(*alice, "billing", "refund please");
    ada->wait_for("offered", c);
    auto bob = f.expert("bob");
    f.advance(31s);
    CHECK(ada->wait_for("offer_withdrawn", c)["missed"] == true);
    ada->wait_for([](const nlohmann::json& j) { return j["type"] == "presence" && j["presence"] == "away"; });
    server_fixture::accept(*bob, c);
    CHECK(alice->wait_for("assigned", c)["expert_name"] == "bob (name)");
}

TEST_CASE("a hand-off takes the conversation to a second expert, with the note", "[integration][routing]") {
    server_fixture f;
    auto ada = f.expert("ada");
    auto alice = f.customer("alice");
    auto c = server_fixture::open(*alice, "billing", "refund please");
    server_fixture::accept(*ada, c);
    auto bob = f.expert("bob");
    REQUIRE(ada->request({{"type", "hand_off"}, {"conversation", c}, {"note", "needs a refund approver"}})["type"] == "ok");
    CHECK(ada->wait_for("handed_off", c)["note"] == "needs a refund approver");
    auto told = alice->wait_for("handed_off", c);
    CHECK_FALSE(told.contains("note"));
    // The next expert's offer carries the note, and so does the conversation's record he sees.
    auto offer = bob->wait_for("offered", c);
    REQUIRE(offer["hand_offs"].size() == 1);
    CHECK(offer["hand_offs"][0]["note"] == "needs a refund approver");
    CHECK(offer["hand_offs"][0]["from"] == "ada");
    CHECK(offer["hand_offs"][0]["from_name"] == "ada (name)");
    REQUIRE(bob->request({{"type", "accept"}, {"conversation", c}})["type"] == "ok");
    auto snap = bob->wait_for([&](const nlohmann::json& j) {
        return j["type"] == "conversation" && j["conversation"] == c && j["state"] == "active";
    });
    CHECK(snap["hand_offs"][0]["note"] == "needs a refund approver");
    alice->wait_for([](const nlohmann::json& j) { return j["type"] == "assigned" && j["expert_name"] == "bob (name)"; });
    // Bob reads the transcript so far; Ada no longer may act on it.
    bob->request({{"type", "history"}, {"conversation", c}});
    CHECK(bob->wait_for("message", c)["text"] == "refund please");
    CHECK(server_fixture::say(*ada, c, "still here", "a1")["code"] == "unknown_conversation");
    // A fresh console and the read API show the note to staff.
    ws_client bob2(f.port());
    bob2.send({{"type", "hello"}, {"token", f.token(role::expert, "bob")}});
    auto welcome = bob2.wait_for("welcome");
    REQUIRE(welcome["conversations"].size() == 1);
    CHECK(welcome["conversations"][0]["hand_offs"][0]["note"] == "needs a refund approver");
    auto api = http_get(f.port(), "/api/v1/conversations/" + c, f.token(role::expert, "bob"));
    CHECK(nlohmann::json::parse(api.body)["conversation"]["hand_offs"][0]["note"] == "needs a refund approver");
}

TEST_CASE("nothing a customer receives across a hand-off story carries the expert's note", "[integration][routing][privacy]") {
    server_fixture f;
    const std::string secret = "customer is a known chargeback risk";
    auto ada = f.expert("ada");
    auto alice = f.customer("alice");
    auto c = server_fixture::open(*alice, "billing", "refund please");
    server_fixture::accept(*ada, c);
    server_fixture::say(*ada, c, "looking", "a1");
    REQUIRE(ada->request({{"type", "hand_off"}, {"conversation", c}, {"note", secret}})["type"] == "ok");
    auto bob = f.expert("bob");
    server_fixture::accept(*bob, c);
    server_fixture::say(*bob, c, "hello, I take over", "b1");
    server_fixture::say(*alice, c, "thanks", "u1");
    // A second widget of the same customer, the history replay and the read API.
    auto again = f.customer("alice");
    REQUIRE(again->request({{"type", "history"}, {"conversation", c}})["type"] == "ok");
    REQUIRE(alice->request({{"type", "hold"}, {"conversation", c}})["type"] == "ok");
    REQUIRE(alice->request({{"type", "close"}, {"conversation", c}})["type"] == "ok");
    alice->wait_for("closed", c);
    again->wait_for("closed", c);
    auto api = http_get(f.port(), "/api/v1/conversations/" + c, f.token(role::customer, "alice"));
    CHECK(api.status == 200);
    CHECK(api.body.find(secret) == std::string::npos);
    CHECK(api.body.find("hand_offs") == std::string::npos);
    for (const auto* who : {alice.get(), again.get()}) {
        REQUIRE_FALSE(who->received().empty());
        for (const auto& frame : who->received()) {
            INFO(frame);
            CHECK(frame.find(secret) == std::string::npos);
            CHECK(frame.find("hand_offs") == std::string::npos);
            CHECK(frame.find("\"note\"") == std::string::npos);
        }
    }
}

TEST_CASE("a declined offer goes to another expert", "[integration][routing]") {
    server_fixture f;
    auto ada = f.expert("ada");
    auto alice = f.customer("alice");
    auto c = server_fixture::open(*alice, "billing", "refund please");
    ada->wait_for("offered", c);
    auto bob = f.expert("bob");
    REQUIRE(ada->request({{"type", "decline"}, {"conversation", c}})["type"] == "ok");
    server_fixture::accept(*bob, c);
}

TEST_CASE("on the real clock a timer set by a request fires when due, not at the next hourly wake-up",
          "[integration][routing][timers]") {
    temp_dir dir;
    chat::server::config cfg;
    cfg.port = 0;
    cfg.data_dir = dir.path();
    cfg.policy.offer_timeout = 1s;
    chat::server::system_clock clock;
    chat::server::chat_server server(cfg, clock);
    server.start();
    auto token = [&](role r, const std::string& sub) {
        chat::server::identity who{r, sub, "acme", tier::enterprise, "", sub, clock.now() + 1h, {}};
        return chat::server::mint_token(who, chat::server::token_secret(cfg));
    };
    ws_client ada(server.port());
    ada.send({{"type", "hello"}, {"token", token(role::expert, "ada")}});
    ada.wait_for("welcome");
    REQUIRE(ada.request({{"type", "presence"}, {"presence", "available"}})["type"] == "ok");
    ws_client alice(server.port());
    alice.send({{"type", "hello"}, {"token", token(role::customer, "alice")}});
    alice.wait_for("welcome");
    auto c = server_fixture::open(alice, "billing", "my invoice total is wrong");

    ada.wait_for("offered", c);
    auto withdrawn = ada.wait_for("offer_withdrawn", c, 10s); // one second, with room for a slow machine
    CHECK(withdrawn["missed"] == true);
}

namespace {

void skill_rules(chat::server::config& c) {
    c.policy.skills.product_areas["billing"] = {"billing"};
    c.policy.skills.rules.push_back({tier::enterprise, 1, {"senior"}});
}

} // namespace

TEST_CASE("a conversation from the billing area goes to the expert with the billing skill", "[integration][routing][skills]") {
    server_fixture f(skill_rules);
    nlohmann::json welcome;
    auto generalist = f.skilled_expert("gina", {"api"});
    auto biller = f.skilled_expert("bill", {"billing"}, &welcome);
    CHECK(welcome["skills"] == nlohmann::json::array({"billing"}));
    CHECK(welcome["granted_skills"] == nlohmann::json::array({"billing"}));
    CHECK(welcome["auto_accept"] == false);
    auto alice = f.customer("alice");
    auto ok = alice->request({{"type", "open"}, {"topic", "Invoice"}, {"text", "charged twice"}, {"product_area", "billing"}});
    REQUIRE(ok["type"] == "ok");
    std::string c = ok["conversation"];
    auto offer = biller->wait_for("offered", c);
    CHECK(offer["required_skills"] == nlohmann::json::array({"billing"}));
    CHECK_FALSE(generalist->saw([&](const nlohmann::json& j) { return j["type"] == "offered"; }));
    // An area nobody configured needs nothing: anyone may take it.
    auto other = alice->request({{"type", "open"}, {"topic", "Export"}, {"text", "the CSV export stops"}, {"product_area", "exports"}});
    REQUIRE(other["type"] == "ok");
    CHECK(generalist->wait_for("offered", other["conversation"].get<std::string>())["required_skills"].empty());
}

TEST_CASE("a critical Enterprise conversation needs a senior expert by rule", "[integration][routing][skills]") {
    server_fixture f(skill_rules);
    auto junior = f.skilled_expert("jo", {"billing"});
    auto senior = f.skilled_expert("sam", {"billing", "senior"});
    auto boss = f.customer("boss", tier::enterprise);
    auto ok = boss->request({{"type", "open"}, {"topic", "Outage"}, {"text", "nothing works"}, {"severity", 1}, {"product_area", "billing"}});
    REQUIRE(ok["type"] == "ok");
    auto offer = senior->wait_for("offered", ok["conversation"].get<std::string>());
    CHECK(offer["required_skills"] == nlohmann::json::array({"billing", "senior"}));
    CHECK_FALSE(junior->saw([&](const nlohmann::json& j) { return j["type"] == "offered"; }));
}

TEST_CASE("an expert narrows their skills, turns on auto-accept, and both survive a reconnect", "[integration][routing][skills]") {
    server_fixture f(skill_rules);
    auto ada = f.skilled_expert("ada", {"billing", "api"});
    CHECK(ada->request({{"type", "skills"}, {"skills", {"billing", "root"}}})["code"] == "invalid_argument");
    REQUIRE(ada->request({{"type", "skills"}, {"skills", {"api"}}})["type"] == "ok");
    REQUIRE(ada->request({{"type", "auto_accept"}, {"on", true}})["type"] == "ok");
    ada->close();
    nlohmann::json welcome;
    auto again = f.skilled_expert("ada", {"billing", "api"}, &welcome);
    CHECK(welcome["skills"] == nlohmann::json::array({"api"}));
    CHECK(welcome["auto_accept"] == true);
    auto alice = f.customer("alice");
    auto billing = alice->request({{"type", "open"}, {"topic", "Invoice"}, {"text", "charged twice"}, {"product_area", "billing"}});
    CHECK_FALSE(again->saw([](const nlohmann::json& j) { return j["type"] == "offered"; }));
    // Widened again: the billing conversation is hers at once, without an offer to accept.
    REQUIRE(again->request({{"type", "skills"}, {"skills", {"api", "billing"}}})["type"] == "ok");
    CHECK(alice->wait_for("assigned", billing["conversation"].get<std::string>())["expert_name"] == "ada (name)");
    auto lead = f.connect(role::monitor, "lead");
    REQUIRE(lead->request({{"type", "subscribe"}})["type"] == "ok");
    auto board = lead->wait_for("queue_snapshot")["experts"];
    REQUIRE(board.size() == 1);
    CHECK(board[0]["skills"] == nlohmann::json::array({"api", "billing"}));
    CHECK(board[0]["auto_accept"] == true);
}

TEST_CASE("a customer whose saved conversation expired opens a new one linked to it, offered to the same expert first",
          "[integration][routing][continues]") {
    server_fixture f;
    auto ada = f.expert("ada");
    auto bob = f.expert("bob");
    auto alice = f.customer("alice");
    auto c = server_fixture::open(*alice, "billing", "refund please");
    auto offer = ada->saw([&](const nlohmann::json& j) { return j["type"] == "offered" && j["conversation"] == c; }, 1s);
    auto& holder = offer ? *ada : *bob;
    REQUIRE(holder.request({{"type", "accept"}, {"conversation", c}})["type"] == "ok");
    server_fixture::say(holder, c, "looking into it", "h1");
    f.advance(31min);                                  // silence: saved
    server_fixture::state(*alice, c, "saved");
    f.advance(std::chrono::hours(24 * 14));            // past the 7 business days: closed as expired
    CHECK(alice->wait_for("closed", c)["reason"] == "expired");
    f.restart(); // the expired conversation is no longer in chatd's memory, only in Redis
    auto alice2 = f.customer("alice");
    auto ada2 = f.expert("ada");
    auto bob2 = f.expert("bob");
    auto& holder2 = offer ? *ada2 : *bob2;
    auto ok = alice2->request({{"type", "open"}, {"topic", "billing"}, {"text", "the refund never came"}, {"continues", c}});
    REQUIRE(ok["type"] == "ok");
    std::string next = ok["conversation"];
    auto offered = holder2.wait_for("offered", next);
    CHECK(offered["continues"] == c);
    auto snap = alice2->wait_for([&](const nlohmann::json& j) { return j["type"] == "conversation" && j["conversation"] == next; });
    CHECK(snap["continues"] == c);
    // Someone else's conversation cannot be continued.
    auto mallory = f.customer("mallory");
    CHECK(mallory->request({{"type", "open"}, {"topic", "x"}, {"text", "y"}, {"continues", c}})["code"] == "unknown_conversation");
}
