// Reclassifying a conversation: severity, request type and priority, by the expert who holds it
// or a team lead, with a reason kept for staff and never shown to the customer.

#include "http_get.hpp"
#include "server_fixture.hpp"

#include <catch2/catch.hpp>

using namespace chat::test;
using namespace std::chrono_literals;
using chat::protocol::role;

namespace {

nlohmann::json classify(ws_client& who, const std::string& c, nlohmann::json change) {
    nlohmann::json r{{"type", "classify"}, {"conversation", c}};
    r.update(change);
    return who.request(r);
}

// The next snapshot of `c` whose `field` is `value`.
nlohmann::json snapshot_with(ws_client& who, const std::string& c, const std::string& field, const nlohmann::json& value) {
    return who.wait_for([&](const nlohmann::json& j) {
        return j.value("type", "") == "conversation" && j.value("conversation", "") == c && j.contains(field) && j[field] == value;
    });
}

} // namespace

TEST_CASE("the expert reclassifies a conversation: the customer sees what it is now, only staff see why",
          "[integration][classify]") {
    server_fixture f;
    chatting chat(f, "exports", "the nightly export fails");
    auto ok = classify(*chat.ada, chat.c,
                       {{"severity", 1}, {"request_type", "problem"}, {"priority", "high"}, {"reason", "their production is down"}});
    REQUIRE(ok["type"] == "ok");

    auto staff = snapshot_with(*chat.ada, chat.c, "severity", 1);
    CHECK(staff["request_type"] == "problem");
    CHECK(staff["priority"] == "high");
    REQUIRE(staff["classifications"].size() == 3);
    CHECK(staff["classifications"][0]["field"] == "severity");
    CHECK(staff["classifications"][0]["from"] == "3");
    CHECK(staff["classifications"][0]["to"] == "1");
    CHECK(staff["classifications"][0]["by"] == "ada");
    CHECK(staff["classifications"][0]["reason"] == "their production is down");

    auto customer = snapshot_with(*chat.alice, chat.c, "severity", 1);
    CHECK(customer["priority"] == "high");
    CHECK_FALSE(customer.contains("classifications"));
    for (const auto& frame : chat.alice->received()) CHECK(frame.find("their production is down") == std::string::npos);

    // Kept across a restart, and in the audit log.
    f.restart();
    auto lead = f.connect(role::monitor, "lead");
    auto history = lead->request({{"type", "history"}, {"conversation", chat.c}, {"after", 0}});
    REQUIRE(history["type"] == "ok");
    auto again = snapshot_with(*lead, chat.c, "severity", 1);
    CHECK(again["classifications"].size() == 3);
    auto log = nlohmann::json::parse(http_get(f.port(), "/api/v1/audit?from=2026-01-05T00:00:00Z&to=2026-01-06T00:00:00Z",
                                              f.token(role::monitor, "lead")).body)["entries"];
    REQUIRE_FALSE(log.empty());
    CHECK(log.back()["action"] == "classify");
    CHECK(log.back()["detail"] == "severity 1, type problem, priority high: their production is down");
}

TEST_CASE("a lead raises a waiting conversation's severity and the next free expert gets it first", "[integration][classify]") {
    server_fixture f;
    auto alice = f.customer("alice");
    auto bob = f.customer("bob");
    auto first = server_fixture::open(*alice, "reports", "a report is slow");
    f.clock.advance(1min);
    auto second = server_fixture::open(*bob, "login", "nobody can log in");
    auto lead = f.connect(role::monitor, "lead");
    REQUIRE(classify(*lead, second, {{"severity", 1}, {"reason", "every user is locked out"}})["type"] == "ok");
    auto ada = f.expert("ada", 1);
    CHECK(ada->wait_for("offered")["conversation"] == second);
}

TEST_CASE("a reclassification is refused without a reason, to an expert who does not hold it and to another tenant's lead",
          "[integration][classify][security]") {
    server_fixture f;
    chatting chat(f, "exports", "the nightly export fails");
    CHECK(classify(*chat.ada, chat.c, {{"severity", 1}, {"reason", ""}})["code"] == "bad_field");
    CHECK(classify(*chat.ada, chat.c, {{"reason", "no change named"}})["code"] == "bad_field");
    CHECK(classify(*chat.ada, chat.c, {{"priority", "urgent"}, {"reason", "typo"}})["code"] == "bad_field");
    auto bob = f.expert("bob");
    CHECK(classify(*bob, chat.c, {{"severity", 1}, {"reason", "not mine"}})["type"] == "error");
    auto stranger = f.connect(role::monitor, "lead", chat::queue::tier::standard, "globex");
    CHECK(classify(*stranger, chat.c, {{"severity", 1}, {"reason", "not ours"}})["code"] == "unknown_conversation");
    CHECK(classify(*chat.alice, chat.c, {{"severity", 1}, {"reason", "me"}})["code"] == "wrong_role");
    // A customer may say what it is when opening, and nothing else.
    auto opened = chat.alice->request({{"type", "open"}, {"topic", "idea"}, {"text", "please add CSV export"},
                                       {"request_type", "feature_request"}, {"priority", "low"}});
    REQUIRE(opened["type"] == "ok");
    auto snap = snapshot_with(*chat.alice, opened["conversation"], "request_type", "feature_request");
    CHECK(snap["priority"] == "low");
    CHECK(chat.alice->request({{"type", "open"}, {"topic", "x"}, {"text", "y"}, {"request_type", "complaint"}})["code"] == "bad_field");
}
