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
    CHECK(h.core.find("c1")->closed_as == close_reason::escalated);
    CHECK(h.of("ada").load == 0);
}

TEST_CASE("a queued conversation cannot be escalated", "[queue][escalation]") {
    harness h;
    h.open("c1", harness::standard("u1"));
    CHECK(refused_with(h.core.escalate("ada", "c1", "", h.now), errc::not_allowed));
}
