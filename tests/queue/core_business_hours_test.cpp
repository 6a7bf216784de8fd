#include "core_harness.hpp"

using namespace chat::test;
using std::chrono::sys_days;
using std::chrono::year;

TEST_CASE("a Standard conversation opened after hours is queued and offered when the team is back", "[queue][hours]") {
    harness h;
    h.expert("ada");
    h.now = sys_days{year{2026} / 1 / 9} + 18h; // Friday 18:00 UTC
    auto out = h.open("c1", harness::standard("u1"));
    REQUIRE(out);
    CHECK(h.state("c1") == conversation_state::queued);
    CHECK(out.first<effect::deferred>()->opens_at == sys_days{year{2026} / 1 / 12} + 8h);
    h.wait(61h + 59min);
    CHECK(h.state("c1") == conversation_state::queued);
    h.wait(1min);
    CHECK(h.state("c1") == conversation_state::offered);
}

TEST_CASE("a severity-1 conversation opened after hours notifies on-call; a less severe one waits quietly", "[queue][hours]") {
    policy p;
    p.tiers[static_cast<int>(tier::standard)].on_call_severity = 1;
    harness h(p);
    h.now = sys_days{year{2026} / 1 / 9} + 18h; // Friday 18:00 UTC
    auto urgent = h.open("c1", harness::standard("u1"), "production is down", 1).first<effect::deferred>();
    REQUIRE(urgent);
    CHECK(urgent->on_call);
    auto calm = h.open("c2", harness::standard("u2"), "a question about exports", 2).first<effect::deferred>();
    REQUIRE(calm);
    CHECK_FALSE(calm->on_call);
}

TEST_CASE("Enterprise is served around the clock", "[queue][hours]") {
    harness h;
    h.expert("ada");
    h.now = sys_days{year{2026} / 1 / 10} + 3h; // Saturday 03:00
    h.open("c1", harness::enterprise("u1"));
    CHECK(h.state("c1") == conversation_state::offered);
}

TEST_CASE("business hours are local to the customer's region", "[queue][hours]") {
    policy p;
    p.regions.emplace("us-east", business_calendar("America/New_York"));
    harness h(p);
    h.expert("ada");
    h.now = sys_days{year{2026} / 1 / 5} + 12h; // 07:00 in New York
    h.open("c1", harness::standard("u1", "us-east"));
    CHECK(h.state("c1") == conversation_state::queued);
    h.wait(1h);
    CHECK(h.state("c1") == conversation_state::offered);
}

TEST_CASE("a deferred Standard conversation does not block Standard ones from open regions", "[queue][hours]") {
    policy p;
    p.regions.emplace("apac", business_calendar("Asia/Tokyo"));
    harness h(p);
    h.open("tokyo-night", harness::standard("u1", "apac")); // 19:00 in Tokyo
    h.open("utc-day", harness::standard("u2"));
    h.expert("ada");
    CHECK(h.state("utc-day") == conversation_state::offered);
    CHECK(h.state("tokyo-night") == conversation_state::queued);
    h.consistent();
}

TEST_CASE("a tier whose hours follow the team's calendar serves every region at the team's hours", "[queue][hours]") {
    policy p;
    p.regions.emplace("tokyo", business_calendar("Asia/Tokyo"));
    p.regions.emplace("us-pacific", business_calendar("America/Los_Angeles"));
    p.tiers[static_cast<int>(tier::standard)].hours = {false, 6h, 18h, std::nullopt};
    p.tiers[static_cast<int>(tier::standard)].calendar = "us-pacific";
    harness h(p);
    h.expert("ada");
    h.now = sys_days{year{2026} / 1 / 5} + 13h; // Monday 05:00 in Los Angeles, 22:00 in Tokyo
    auto out = h.open("c1", harness::standard("u1", "tokyo"));
    REQUIRE(out);
    CHECK(h.state("c1") == conversation_state::queued);
    CHECK(out.first<effect::deferred>()->opens_at == sys_days{year{2026} / 1 / 5} + 14h);
    h.wait(1h);
    CHECK(h.state("c1") == conversation_state::offered);
}

TEST_CASE("the first-response clock of a business-time tier counts the team's hours", "[queue][hours][sla]") {
    policy p;
    p.regions.emplace("us-pacific", business_calendar("America/Los_Angeles"));
    auto& standard = p.tiers[static_cast<int>(tier::standard)];
    standard.hours = {false, 6h, 18h, std::nullopt};
    standard.calendar = "us-pacific";
    standard.first_response_target = {10min, 10min, 10min, 10min};
    harness h(p);
    h.now = sys_days{year{2026} / 1 / 6} + 1h + 55min; // Monday 17:55 in Los Angeles
    h.open("c1", harness::standard("u1"));             // a customer of the default (UTC) region
    h.wait(5min);                                       // 18:00: closed with 5 minutes counted
    CHECK_FALSE(h.core.find("c1")->sla.breached);
    h.wait(12h + 4min);                                 // Tuesday 06:04
    CHECK_FALSE(h.core.find("c1")->sla.breached);
    h.wait(1min);                                       // 06:05: ten open minutes
    CHECK(h.core.find("c1")->sla.breached);
}
