// The internal thread: notes by the tenant's staff, numbered in their own stream, sent to the
// conversation's expert and the colleagues they name, and never to the customer.

#include "cluster_fixture.hpp"
#include "server_fixture.hpp"

#include <catch2/catch.hpp>

#include <thread>

using namespace chat::test;
using namespace std::chrono_literals;
using chat::protocol::role;

namespace {

nlohmann::json note(ws_client& who, const std::string& conversation, const std::string& text,
                    const std::string& client_id) {
    return who.request({{"type", "note"},
                        {"conversation", conversation},
                        {"text", text},
                        {"client_id", client_id}});
}

nlohmann::json notes(ws_client& who, const std::string& conversation, std::uint64_t after = 0) {
    return who.request({{"type", "notes"}, {"conversation", conversation}, {"after", after}});
}

bool is_note(const nlohmann::json& j) {
    return j.value("type", "") == "note";
}

} // namespace

TEST_CASE("staff write in a conversation's internal thread and a named colleague is sent the note",
          "[integration][notes]") {
    server_fixture f;
    auto ada = f.expert("ada");
    auto ben = f.connect(role::expert, "ben");
    auto lead = f.connect(role::monitor, "lead");
    auto alice = f.customer("alice");
    auto c = server_fixture::open(*alice, "sso", "okta login loops forever");
    server_fixture::accept(*ada, c);

    auto ok = note(*ada, c, "cleared the session cookies, still looping. @ben knows Okta", "n1");
    REQUIRE(ok["type"] == "ok");
    CHECK(ok["seq"] == 1);
    auto told = ben->wait_for(is_note);
    CHECK(told["conversation"] == c);
    CHECK(told["author"] == "acme/ada");
    CHECK(told["mentions"] == nlohmann::json::array({"acme/ben"}));

    // Ben answers in the thread though the conversation is not his; Ada is sent it.
    CHECK(note(*ben, c, "ask for the IdP's SAML trace", "n2")["seq"] == 2);
    CHECK(ada->wait_for(is_note)["text"] == "ask for the IdP's SAML trace");
    CHECK(note(*lead, c, "promised a callback by 15:00", "n3")["seq"] == 3);

    auto thread = notes(*lead, c);
    REQUIRE(thread["type"] == "notes");
    REQUIRE(thread["notes"].size() == 3);
    CHECK(thread["notes"][0]["text"] ==
          "cleared the session cookies, still looping. @ben knows Okta");
    CHECK(thread["notes"][2]["role"] == "monitor");
    CHECK(notes(*ada, c, 2)["notes"].size() == 1);
}

TEST_CASE("a retried note is stored once and answered with its number", "[integration][notes]") {
    server_fixture f;
    chatting chat(f, "billing", "invoice total is wrong");
    auto& ada = chat.ada;
    const auto& c = chat.c;
    CHECK(note(*ada, c, "refund approved", "r1")["seq"] == 1);
    CHECK(note(*ada, c, "refund approved", "r1")["seq"] == 1);
    CHECK(note(*ada, c, "sent to finance", "r2")["seq"] == 2);
    CHECK(notes(*ada, c)["notes"].size() == 2);
}

TEST_CASE("the thread goes on after a restart, numbered from its stream", "[integration][notes]") {
    server_fixture f;
    std::string c;
    {
        auto ada = f.expert("ada");
        auto alice = f.customer("alice");
        c = server_fixture::open(*alice, "billing", "invoice total is wrong");
        server_fixture::accept(*ada, c);
        CHECK(note(*ada, c, "first", "k1")["seq"] == 1);
        CHECK(note(*ada, c, "second", "k2")["seq"] == 2);
    }
    f.restart();
    auto ada = f.connect(role::expert, "ada");
    CHECK(note(*ada, c, "second", "k2")["seq"] == 2); // a retry across the restart
    CHECK(note(*ada, c, "third", "k3")["seq"] == 3);
    CHECK(notes(*ada, c)["notes"].size() == 3);
}

TEST_CASE("a customer and another tenant's staff cannot write or read the thread",
          "[integration][notes]") {
    server_fixture f;
    chatting chat(f, "billing", "invoice total is wrong");
    auto& ada = chat.ada;
    auto& alice = chat.alice;
    const auto& c = chat.c;
    REQUIRE(note(*ada, c, "VIP account", "v1")["type"] == "ok");

    CHECK(note(*alice, c, "let me in", "x1")["code"] == "wrong_role");
    CHECK(notes(*alice, c)["code"] == "wrong_role");
    auto outsider = f.connect(role::expert, "eve", chat::queue::tier::standard, "globex");
    CHECK(note(*outsider, c, "hello", "x2")["code"] == "unknown_conversation");
    CHECK(notes(*outsider, c)["code"] == "unknown_conversation");
    auto other_lead = f.connect(role::monitor, "boss", chat::queue::tier::standard, "globex");
    CHECK(notes(*other_lead, c)["code"] == "unknown_conversation");
}

TEST_CASE("no frame of the internal thread reaches the customer across a whole conversation",
          "[integration][notes][privacy]") {
    server_fixture f;
    auto ada = f.expert("ada");
    auto ben = f.expert("ben");
    auto alice = f.customer("alice");
    auto c = server_fixture::open(*alice, "sso", "okta login loops forever");
    server_fixture::accept(*ada, c);
    const std::vector<std::string> secrets = {"SECRET-cookie-theory", "SECRET-vip-discount",
                                              "SECRET-handoff-card"};
    server_fixture::say(*alice, c, "any news?", "a1");
    note(*ada, c, secrets[0] + " @ben @alice", "s1");
    server_fixture::say(*ada, c, "looking into it", "e1");
    note(*ben, c, secrets[1], "s2");
    alice->request({{"type", "history"}, {"conversation", c}, {"after", 0}});
    note(*ada, c, secrets[2], "s3");
    server_fixture::say(*alice, c, "thanks", "a2");
    REQUIRE(ada->request({{"type", "close"}, {"conversation", c}})["type"] == "ok");
    alice->wait_for("survey_request");
    alice->request({{"type", "survey"}, {"conversation", c}, {"rating", 5}});
    while (alice->next(std::chrono::milliseconds(300))) {
    }

    REQUIRE(alice->received().size() > 5);
    for (const auto& frame : alice->received()) {
        INFO(frame);
        auto j = nlohmann::json::parse(frame);
        CHECK(j["type"] != "note");
        CHECK(j["type"] != "notes");
        for (const auto& s : secrets)
            CHECK(frame.find(s) == std::string::npos);
    }
}

TEST_CASE("the internal thread works across nodes and goes on, numbered, after its owner dies",
          "[integration][notes][cluster]") {
    cluster_fixture cluster;
    auto a = cluster.start();
    auto b = cluster.start();
    INFO(a->output() + b->output());
    auto ada = cluster.connect(b->port(), role::expert, "ada");
    ada->request({{"type", "presence"}, {"presence", "available"}});
    auto ben = cluster.connect(a->port(), role::expert, "ben");
    auto alice = cluster.connect(a->port(), role::customer, "alice");
    auto open = alice->request(
        {{"type", "open"}, {"topic", "sso"}, {"text", "okta loops"}, {"client_id", "o1"}});
    REQUIRE(open["type"] == "ok");
    std::string c = open["conversation"];
    ada->wait_for("offered", c);
    REQUIRE(ada->request({{"type", "accept"}, {"conversation", c}})["type"] == "ok");

    CHECK(note(*ada, c, "SECRET-1 @ben have a look", "n1")["seq"] == 1);
    CHECK(ben->wait_for(is_note)["text"] == "SECRET-1 @ben have a look");
    CHECK(note(*ben, c, "SECRET-2 trace attached", "n2")["seq"] == 2);
    CHECK(ada->wait_for(is_note)["seq"] == 2);

    auto owner = cluster.owner_of();
    auto& dead = owner == a->id() ? a : b;
    auto& alive = owner == a->id() ? b : a;
    dead->kill9();
    cluster.wait_for_owner(owner, 10s);
    auto staff = cluster.connect(alive->port(), role::expert, "ada");
    // The new owner numbers on from the stream; a retry of the last note is stored once.
    auto retried = [&](const std::string& text, const std::string& id) {
        for (int i = 0; i < 50; ++i) {
            auto r = note(*staff, c, text, id);
            if (r["type"] == "ok") return r["seq"].get<std::uint64_t>();
            std::this_thread::sleep_for(100ms);
        }
        return std::uint64_t{0};
    };
    CHECK(retried("SECRET-2 trace attached", "n2") == 2);
    CHECK(retried("SECRET-3 after the takeover", "n3") == 3);
    CHECK(notes(*staff, c)["notes"].size() == 3);
    for (const auto& frame : alice->received())
        CHECK(frame.find("SECRET-") == std::string::npos);
}

TEST_CASE("a hand-off card is read in the next expert's offer and stays in the internal thread",
          "[integration][notes][hand_off]") {
    server_fixture f;
    chatting chat(f, "sso", "okta login loops forever");
    auto& ada = chat.ada;
    auto& alice = chat.alice;
    const auto& c = chat.c;
    REQUIRE(note(*ada, c, "SECRET-before the hand-off", "h1")["seq"] == 1);
    auto bob = f.expert("bob");
    auto handed = ada->request({{"type", "hand_off"},
                                {"conversation", c},
                                {"note", "SECRET-needs an Okta admin"},
                                {"tried", "SECRET-cleared cookies, new browser"},
                                {"promised", "SECRET-a call back"},
                                {"promised_at", "2026-01-05T15:00:00Z"}});
    REQUIRE(handed["type"] == "ok");

    auto offer = bob->wait_for("offered", c);
    REQUIRE(offer["hand_offs"].size() == 1);
    const auto& card = offer["hand_offs"][0];
    CHECK(card["note"] == "SECRET-needs an Okta admin");
    CHECK(card["tried"] == "SECRET-cleared cookies, new browser");
    CHECK(card["promised"] == "SECRET-a call back");
    CHECK(card["promised_at"] == "2026-01-05T15:00:00Z");
    // Read before accepting: the thread holds the card after the earlier note.
    auto thread = notes(*bob, c);
    REQUIRE(thread["notes"].size() == 2);
    CHECK(thread["notes"][1]["author"] == "acme/ada");
    CHECK(thread["notes"][1]["text"] ==
          "Hand-off card\nNote: SECRET-needs an Okta admin\nTried: SECRET-cleared cookies, new "
          "browser\nPromised: SECRET-a call back (by 2026-01-05T15:00:00Z)");
    REQUIRE(bob->request({{"type", "accept"}, {"conversation", c}})["type"] == "ok");
    server_fixture::say(*bob, c, "hello, I take over", "b1");
    server_fixture::say(*alice, c, "thanks", "u1");
    while (alice->next(200ms)) {
    }
    for (const auto& frame : alice->received())
        CHECK(frame.find("SECRET-") == std::string::npos);
}

TEST_CASE("a hand-off without a card adds nothing to the thread",
          "[integration][notes][hand_off]") {
    server_fixture f;
    chatting chat(f, "sso", "okta login loops forever");
    auto& ada = chat.ada;
    const auto& c = chat.c;
    REQUIRE(ada->request({{"type", "hand_off"}, {"conversation", c}})["type"] == "ok");
    CHECK(notes(*ada, c)["notes"].empty());
}
