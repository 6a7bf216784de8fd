#include "core_harness.hpp"

using namespace chat::test;

TEST_CASE("an Enterprise conversation is offered before an earlier Standard one", "[queue][priority]") {
    harness h;
    h.open("std-1", harness::standard("sam"));
    h.wait(1s);
    h.open("ent-1", harness::enterprise("erin"));
    h.expert("ada", 1);
    CHECK(h.state("ent-1") == conversation_state::offered);
    CHECK(h.state("std-1") == conversation_state::queued);
    h.consistent();
}

TEST_CASE("within a tier, severity comes first, then the time of arrival", "[queue][priority]") {
    harness h;
    h.open("low", harness::enterprise("a"), "", 4);
    h.wait(1s);
    h.open("first-normal", harness::enterprise("b"), "", 3);
    h.wait(1s);
    h.open("critical", harness::enterprise("c"), "", 1);
    h.wait(1s);
    h.open("second-normal", harness::enterprise("d"), "", 3);
    CHECK(h.core.queue_order(h.now) ==
          std::vector<conversation_id>{"critical", "first-normal", "second-normal", "low"});
}

TEST_CASE("a severity outside 1 to 4 is refused", "[queue][priority]") {
    harness h;
    CHECK(refused_with(h.open("x", harness::standard("s"), "", 0), errc::invalid_argument));
    CHECK(refused_with(h.open("y", harness::standard("s"), "", 5), errc::invalid_argument));
}

TEST_CASE("with aging, a Standard conversation that waited too long ranks with Enterprise", "[queue][priority]") {
    policy p;
    p.tiers[1].max_wait = 10min;
    harness h(p);
    h.open("std-old", harness::standard("sam"));
    h.wait(11min);
    h.open("ent-new", harness::enterprise("erin"));
    h.expert("ada", 1);
    CHECK(h.state("std-old") == conversation_state::offered);
    CHECK(h.state("ent-new") == conversation_state::queued);
}

TEST_CASE("without aging, Enterprise stays first however long Standard waits", "[queue][priority]") {
    harness h;
    h.open("std-old", harness::standard("sam"));
    h.wait(3h);
    h.open("ent-new", harness::enterprise("erin"));
    h.expert("ada", 1);
    CHECK(h.state("ent-new") == conversation_state::offered);
}
