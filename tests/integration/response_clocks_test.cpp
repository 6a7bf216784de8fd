// The response-time clocks after the first answer, and the predicted breach, as staff and the
// ticket system see them: a customer waiting again past the next-response target, the wait on
// the monitor's board, the clock surviving a restart, and a first answer predicted too late.

#include "server_fixture.hpp"
#include "webhook_receiver.hpp"

#include <catch2/catch.hpp>

#include <thread>

using namespace chat::test;
using namespace std::chrono_literals;
using chat::protocol::role;
using chat::queue::tier;

namespace {

// The team's pager: a webhook endpoint at `receiver` taking `events`.
chat::server::webhooks::endpoint pager_at(const webhook_receiver& receiver, std::set<std::string> events) {
    chat::server::webhooks::endpoint e;
    e.name = "pager";
    e.url = receiver.url();
    e.secret = "a-secret-of-the-pager";
    e.events = std::move(events);
    return e;
}

// Enterprise answers a waiting customer within 2 minutes; SLA events go to `receiver`, if any.
std::function<void(chat::server::config&)> two_minute_replies(const webhook_receiver* receiver = nullptr) {
    return [receiver](chat::server::config& c) {
        c.policy.tiers[static_cast<int>(tier::enterprise)].next_response.fill(chat::queue::response_target::wall_clock(2min));
        if (receiver) c.webhooks.endpoints = {pager_at(*receiver, {"sla.breached", "sla.predicted"})};
    };
}

// A team lead's monitor, subscribed to the tenant's queue; `snapshot` receives its first one.
std::unique_ptr<ws_client> subscribed_lead(server_fixture& f, const std::string& name, nlohmann::json* snapshot = nullptr) {
    auto lead = f.connect(role::monitor, name);
    REQUIRE(lead->request({{"type", "subscribe"}})["type"] == "ok");
    auto first = lead->wait_for("queue_snapshot");
    if (snapshot) *snapshot = first;
    return lead;
}

// The entry of `conversation` on an expert's row of a queue snapshot or delta, if shown.
std::optional<nlohmann::json> board_row(const nlohmann::json& frame, const std::string& expert, const std::string& conversation) {
    for (const auto& x : frame.value("experts", nlohmann::json::array()))
        if (x["expert"] == expert)
            for (const auto& c : x["conversations"])
                if (c["conversation"] == conversation) return c;
    return std::nullopt;
}

nlohmann::json webhook_event(const webhook_receiver& r, const std::string& type) {
    for (const auto& q : r.received()) {
        auto j = nlohmann::json::parse(q.body);
        if (j["type"] == type) return j;
    }
    return nullptr;
}

} // namespace

TEST_CASE("a customer left waiting again past the next-response target: the expert, the lead and the pager hear of it",
          "[integration][sla]") {
    webhook_receiver pager;
    server_fixture f(two_minute_replies(&pager));
    auto lead = subscribed_lead(f, "lena");
    auto ada = f.expert("ada");
    auto erin = f.customer("erin", tier::enterprise);
    auto c = server_fixture::open(*erin, "sso", "cannot sign in with sso");
    server_fixture::accept(*ada, c);
    REQUIRE(server_fixture::say(*ada, c, "let me look", "a1")["type"] == "ok");
    REQUIRE(server_fixture::say(*erin, c, "any news?", "e1")["type"] == "ok");

    // The lead's board shows Erin waiting on Ada, with the deadline.
    auto waiting = lead->wait_for([&](const nlohmann::json& j) {
        auto row = board_row(j, "ada", c);
        return j["type"] == "queue_delta" && row && row->contains("waiting_since");
    });
    CHECK_FALSE(waiting.contains("order")); // only the row moved
    CHECK(board_row(waiting, "ada", c)->at("reply_late") == false);

    f.advance(2min);
    auto breach = ada->wait_for("sla_breached", c);
    CHECK(breach["clock"] == "next_response");
    CHECK(breach["target"] == "2m");
    CHECK(lead->wait_for("sla_breached", c)["clock"] == "next_response");
    lead->wait_for([&](const nlohmann::json& j) {
        auto row = board_row(j, "ada", c);
        return j["type"] == "queue_delta" && row && row->value("reply_late", false);
    });
    REQUIRE(pager.wait_for(1));
    auto event = webhook_event(pager, "sla.breached");
    REQUIRE(event.is_object());
    CHECK(event["data"]["clock"] == "next_response");
    CHECK(event["data"]["target"] == "2m");
    CHECK(event["data"]["target_s"] == 120);

    // Ada answers: the wait is over, and the board says so (in a frame sent from now on).
    lead->backlog().clear();
    REQUIRE(server_fixture::say(*ada, c, "fixed: sign in again", "a2")["type"] == "ok");
    lead->wait_for([&](const nlohmann::json& j) {
        auto row = board_row(j, "ada", c);
        return j["type"] == "queue_delta" && row && !row->contains("waiting_since");
    });
    // The customer reads the answer, and was told nothing of the clock.
    erin->wait_for([](const nlohmann::json& j) { return j["type"] == "message" && j["text"] == "fixed: sign in again"; });
    for (const auto& frame : erin->received()) CHECK(frame.find("sla_") == std::string::npos);
}

TEST_CASE("a customer's unanswered message stored alone still falls due after a restart", "[integration][sla][recovery]") {
    server_fixture f(two_minute_replies());
    auto ada = f.expert("ada");
    auto erin = f.customer("erin", tier::enterprise);
    auto c = server_fixture::open(*erin, "sso", "cannot sign in with sso");
    server_fixture::accept(*ada, c);
    REQUIRE(server_fixture::say(*ada, c, "let me look", "a1")["type"] == "ok");
    REQUIRE(server_fixture::say(*erin, c, "any news?", "e1")["type"] == "ok"); // one stream entry, the record untouched
    f.advance(1min);
    ada.reset();
    erin.reset();
    f.restart();

    nlohmann::json snapshot;
    auto lead = subscribed_lead(f, "lena", &snapshot);
    auto row = board_row(snapshot, "ada", c);
    REQUIRE(row);
    CHECK(row->contains("waiting_since"));
    f.advance(1min);
    CHECK(lead->wait_for("sla_breached", c)["clock"] == "next_response");
}

TEST_CASE("a waiting conversation nobody can answer in time is predicted to breach, on the board and to the pager",
          "[integration][sla]") {
    webhook_receiver pager;
    server_fixture f(two_minute_replies(&pager));
    auto lead = subscribed_lead(f, "lena");
    auto erin = f.customer("erin", tier::enterprise);
    auto c = server_fixture::open(*erin, "sso", "cannot sign in with sso");

    auto predicted = lead->wait_for("sla_predicted", c);
    CHECK(predicted["clock"] == "first_response");
    CHECK(predicted["estimated_wait_s"].is_null()); // nobody is available
    REQUIRE(pager.wait_for(1));
    auto event = webhook_event(pager, "sla.predicted");
    REQUIRE(event.is_object());
    CHECK(event["data"]["due"] == predicted["due"]);

    nlohmann::json snapshot;
    auto lead2 = subscribed_lead(f, "lou", &snapshot);
    auto entry = snapshot["queue"].at(0);
    CHECK(entry["sla_predicted"] == true);
    CHECK(entry["sla_due"] == predicted["due"]);
    erin->wait_for("queued", c);
    for (const auto& frame : erin->received()) CHECK(frame.find("sla_") == std::string::npos);
}

TEST_CASE("a severity-1 conversation opened after hours pages on-call and tells the customer so", "[integration][hours]") {
    webhook_receiver pager;
    server_fixture f([&pager](chat::server::config& c) {
        c.policy.tiers[static_cast<int>(tier::standard)].on_call_severity = 1;
        c.webhooks.endpoints = {pager_at(pager, {"conversation.after_hours"})};
    });
    f.advance(9h); // Monday 19:00 UTC: Standard's 08:00-17:00 are over
    auto sam = f.customer("sam");
    auto urgent = sam->request({{"type", "open"}, {"topic", "outage"}, {"text", "production is down"}, {"severity", 1}});
    REQUIRE(urgent["type"] == "ok");
    std::string c = urgent["conversation"];
    auto told = sam->wait_for("deferred", c);
    CHECK(told["on_call"] == true);
    CHECK(told["opens_at"] == "2026-01-06T08:00:00Z");
    REQUIRE(pager.wait_for(1));
    auto page = webhook_event(pager, "conversation.after_hours");
    REQUIRE(page.is_object());
    CHECK(page["data"]["conversation"]["id"] == c);
    CHECK(page["data"]["conversation"]["severity"] == 1);
    CHECK(page["data"]["opens_at"] == "2026-01-06T08:00:00Z");

    // Coming back (a reload), Sam hears at once that on-call knows, and when the team is back.
    auto again = f.customer("sam");
    auto retold = again->wait_for("deferred", c);
    CHECK(retold["on_call"] == true);
    CHECK(retold["opens_at"] == "2026-01-06T08:00:00Z");

    auto quiet = sam->request({{"type", "open"}, {"topic", "exports"}, {"text", "how do I export to csv"}, {"severity", 3}});
    REQUIRE(quiet["type"] == "ok");
    CHECK_FALSE(sam->wait_for("deferred", quiet["conversation"].get<std::string>()).contains("on_call"));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK(pager.count() == 1);
}
