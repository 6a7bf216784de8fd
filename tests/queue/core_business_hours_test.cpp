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
