#include "core_harness.hpp"

using namespace chat::test;

TEST_CASE("an escalation closes the conversation and emits a ticket", "[queue][escalation]") {
    harness h;
    auto u1 = harness::enterprise("u1");
    h.expert("ada");
    h.open("c1", u1, "data export corrupts unicode names", 2);
    REQUIRE(h.core.accept_offer("ada", "c1", h.now));
    auto out = h.core.escalate("ada", "c1", "Reproduced; needs engineering.", h.now);
    REQUIRE(out);
    auto t = out.first<effect::ticket>();
    REQUIRE(t);
    CHECK(t->conversation == "c1");
    CHECK(t->customer.user == "u1");
    CHECK(t->customer.tier == tier::enterprise);
    CHECK(t->severity == 2);
    CHECK(t->expert == "ada");
    CHECK(t->summary == "Reproduced; needs engineering.");
    CHECK(t->respond_by == h.now + 4h); // Enterprise severity 2: four hours
    CHECK(h.core.find("c1")->closed_as == close_reason::escalated);
    CHECK(h.of("ada").load == 0);
}

TEST_CASE("a queued conversation cannot be escalated", "[queue][escalation]") {
    harness h;
    h.open("c1", harness::standard("u1"));
    CHECK(refused_with(h.core.escalate("ada", "c1", "", h.now), errc::not_allowed));
}

TEST_CASE("a ticket's initial contact is due by its tier's target for its severity, in business time where the table says so",
          "[queue][escalation][sla]") {
    policy p;
    p.regions.emplace("de", business_calendar("Europe/Berlin", saturday_sunday(), {std::chrono::sys_days{std::chrono::year{2026} / 1 / 6}}));
    harness h(p);
    h.expert("ada");
    h.now = std::chrono::sys_days{std::chrono::year{2026} / 1 / 5} + 14h; // Monday 15:00 in Berlin
    auto escalated = [&](const std::string& id, severity sev) {
        h.open(id, harness::standard("u-" + id, "de"), "report " + id + " fails on " + id, sev);
        REQUIRE(h.core.accept_offer("ada", id, h.now));
        auto out = h.core.escalate("ada", id, "", h.now);
        REQUIRE(out.first<effect::ticket>());
        return out.first<effect::ticket>()->respond_by;
    };
    // Severity 1: four business hours, two today (to 17:00) and two on Wednesday (Tuesday is a holiday).
    CHECK(escalated("s1", 1) == std::chrono::sys_days{std::chrono::year{2026} / 1 / 7} + 9h);
    // Severity 2: by the end of the next business day, Wednesday, local midnight.
    CHECK(escalated("s2", 2) == std::chrono::sys_days{std::chrono::year{2026} / 1 / 7} + 23h);
    // Severity 4: four business days: Wednesday, Thursday, Friday, Monday.
    CHECK(escalated("s4", 4) == std::chrono::sys_days{std::chrono::year{2026} / 1 / 12} + 23h);
}
