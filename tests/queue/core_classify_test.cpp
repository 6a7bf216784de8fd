#include "core_harness.hpp"

using namespace chat::test;

namespace {

classification to_severity(severity s, std::string why = "customer reports an outage") {
    return {s, std::nullopt, std::nullopt, std::move(why)};
}

} // namespace

TEST_CASE("a lead raises a waiting conversation's severity and it moves ahead, keeping its first-queued time",
          "[queue][classify]") {
    harness h;
    h.open("early", harness::standard("u1"), "", 3);
    h.wait(1min);
    h.open("late", harness::standard("u2"), "", 3);
    auto queued_at = h.core.find("late")->first_queued_at;
    CHECK(h.core.queue_order(h.now) == std::vector<conversation_id>{"early", "late"});

    auto out = h.core.classify("lead", true, "late", to_severity(1), h.now);
    REQUIRE(out);
    CHECK(h.core.queue_order(h.now) == std::vector<conversation_id>{"late", "early"});
    CHECK(h.core.find("late")->first_queued_at == queued_at);
    auto changed = out.first<effect::classified>();
    REQUIRE(changed);
    REQUIRE(changed->changes.size() == 1);
    CHECK(changed->changes[0].field == "severity");
    CHECK(changed->changes[0].from == "3");
    CHECK(changed->changes[0].to == "1");
    CHECK(changed->changes[0].by == "lead");
    CHECK(changed->changes[0].reason == "customer reports an outage");
    CHECK(h.core.find("late")->classifications == changed->changes);

    // Back down again: behind the one that was there first.
    REQUIRE(h.core.classify("lead", true, "late", to_severity(3, "not an outage after all"), h.now));
    CHECK(h.core.queue_order(h.now) == std::vector<conversation_id>{"early", "late"});
    CHECK(h.core.find("late")->classifications.size() == 2);
    h.consistent();
}

TEST_CASE("the expert who holds it changes its request type and priority; another expert may not", "[queue][classify]") {
    harness h;
    h.expert("ada");
    h.expert("bob");
    h.open("c1", harness::standard("u1"));
    REQUIRE(h.expert_of("c1") == "ada");
    REQUIRE(h.core.accept_offer("ada", "c1", h.now));
    CHECK_FALSE(h.core.find("c1")->request_type);

    classification c{std::nullopt, request_type::feature_request, priority::low, "asks for a new export format"};
    CHECK(refused_with(h.core.classify("bob", false, "c1", c, h.now), errc::not_allowed));
    auto out = h.core.classify("ada", false, "c1", c, h.now);
    REQUIRE(out);
    CHECK(h.core.find("c1")->request_type == request_type::feature_request);
    CHECK(h.core.find("c1")->priority == priority::low);
    REQUIRE(out.first<effect::classified>()->changes.size() == 2);
    CHECK(out.first<effect::classified>()->changes[0].from.empty()); // no type was given at open
}

TEST_CASE("a reclassification needs a reason and a change, and is refused once closed", "[queue][classify]") {
    harness h;
    h.open("c1", harness::standard("u1"), "", 2);
    CHECK(refused_with(h.core.classify("lead", true, "c1", to_severity(1, ""), h.now), errc::invalid_argument));
    CHECK(refused_with(h.core.classify("lead", true, "c1", to_severity(5), h.now), errc::invalid_argument));
    CHECK(refused_with(h.core.classify("lead", true, "c1", to_severity(2), h.now), errc::invalid_argument));
    REQUIRE(h.core.customer_close("c1", harness::standard("u1"), h.now));
    CHECK(refused_with(h.core.classify("lead", true, "c1", to_severity(1), h.now), errc::illegal_transition));
}

TEST_CASE("an unanswered conversation's first-response clock follows its new severity", "[queue][classify][sla]") {
    policy p;
    p.tiers[static_cast<int>(tier::enterprise)].first_response_target = {1min, 2min, 10min, 10min};
    harness h(p);
    h.open("c1", harness::enterprise("u1"), "", 3);
    h.wait(90s);
    REQUIRE(h.core.classify("lead", true, "c1", to_severity(2), h.now));
    CHECK(h.core.find("c1")->sla.target == 2min);
    h.wait(29s);
    CHECK_FALSE(h.core.find("c1")->sla.breached);
    h.wait(1s);
    CHECK(h.core.find("c1")->sla.breached);
}

TEST_CASE("with ranking by priority, a high-priority conversation goes before a more severe normal one", "[queue][classify]") {
    policy p;
    p.rank_by_priority = true;
    harness h(p);
    h.open("severe", harness::standard("u1"), "", 1);
    h.open("urgent", harness::standard("u2"), "", 3);
    CHECK(h.core.queue_order(h.now) == std::vector<conversation_id>{"severe", "urgent"});
    REQUIRE(h.core.classify("lead", true, "urgent", {std::nullopt, std::nullopt, priority::high, "launch tomorrow"}, h.now));
    CHECK(h.core.queue_order(h.now) == std::vector<conversation_id>{"urgent", "severe"});
    h.consistent();
}
