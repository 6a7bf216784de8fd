#include "core_harness.hpp"

using namespace chat::test;
using std::chrono::sys_days;
using std::chrono::year;

namespace {

// Enterprise answers a waiting customer within 2 minutes (severity 3) and, at severity 1,
// writes at least every 10 minutes.
policy reply_targets() {
    policy p;
    auto& enterprise = p.tiers[static_cast<int>(tier::enterprise)];
    enterprise.next_response = {response_target::wall_clock(1min), response_target::wall_clock(2min),
                                response_target::wall_clock(2min), std::nullopt};
    enterprise.update_every = {response_target::wall_clock(10min), std::nullopt, std::nullopt, std::nullopt};
    p.tiers[static_cast<int>(tier::standard)].next_response.fill(response_target::open_time(1h));
    return p;
}

const customer u1 = harness::enterprise("u1");

// Ada has answered u1's conversation c1 once: the first-response clock is done.
harness answered_once(severity sev = 3) {
    harness h(reply_targets());
    h.expert("ada");
    h.open("c1", u1, "", sev);
    REQUIRE(h.core.accept_offer("ada", "c1", h.now));
    REQUIRE(h.core.expert_message("ada", "c1", "hello", h.now));
    return h;
}

std::vector<effect::sla_breached> breaches(const outcome& out, response_clock clock) {
    std::vector<effect::sla_breached> found;
    for (const auto& b : out.all<effect::sla_breached>())
        if (b.clock == clock) found.push_back(b);
    return found;
}

} // namespace

TEST_CASE("a customer left waiting past the next-response target is one breach, counted from their first message",
          "[queue][sla][reply]") {
    auto h = answered_once();
    h.wait(5min);
    auto asked = h.now;
    REQUIRE(h.core.customer_message("c1", u1, "any news?", "", h.now));
    h.wait(1min);
    REQUIRE(h.core.customer_message("c1", u1, "hello?", "", h.now)); // still the same wait
    CHECK(h.core.timer_due(timer_kind::next_response_due, "c1") == asked + 2min);
    auto out = h.wait(1min);
    auto found = breaches(out, response_clock::next_response);
    REQUIRE(found.size() == 1);
    CHECK(found[0].target == response_target::wall_clock(2min));
    CHECK(h.core.find("c1")->sla.next_response_breaches == 1);
    CHECK(breaches(h.wait(10min), response_clock::next_response).empty());
    auto late = h.core.expert_message("ada", "c1", "sorry, here", h.now).first<effect::reply_answered>();
    REQUIRE(late); // the late answer ends the wait too
    CHECK_FALSE(late->within_target);
    h.consistent();
}

TEST_CASE("an answer within the next-response target stops its clock, and the next question starts it again",
          "[queue][sla][reply]") {
    auto h = answered_once();
    REQUIRE(h.core.customer_message("c1", u1, "and the invoice?", "", h.now));
    h.wait(90s);
    auto answer = h.core.expert_message("ada", "c1", "here it is", h.now);
    REQUIRE(answer);
    auto answered = answer.first<effect::reply_answered>();
    REQUIRE(answered);
    CHECK(answered->waited == 90s);
    CHECK(answered->within_target);
    CHECK_FALSE(h.core.timer_due(timer_kind::next_response_due, "c1"));
    CHECK(breaches(h.wait(10min), response_clock::next_response).empty());
    REQUIRE(h.core.customer_message("c1", u1, "one more thing", "", h.now));
    CHECK(h.core.timer_due(timer_kind::next_response_due, "c1") == h.now + 2min);
    CHECK(h.core.find("c1")->sla.next_response_breaches == 0);
    h.consistent();
}

TEST_CASE("before the first answer only the first-response clock runs", "[queue][sla][reply]") {
    harness h(reply_targets());
    h.expert("ada");
    h.open("c1", u1);
    REQUIRE(h.core.customer_message("c1", u1, "are you there?", "", h.now));
    CHECK_FALSE(h.core.timer_due(timer_kind::next_response_due, "c1"));
    h.consistent();
}

TEST_CASE("a customer who agreed to wait on hold is not waiting for an answer; one handed off still is",
          "[queue][sla][reply]") {
    auto h = answered_once();
    REQUIRE(h.core.customer_message("c1", u1, "let me check", "", h.now));
    REQUIRE(h.core.expert_hold("ada", "c1", h.now));
    CHECK_FALSE(h.core.timer_due(timer_kind::next_response_due, "c1"));
    REQUIRE(h.core.customer_message("c1", u1, "back", "", h.now)); // leaves hold, waits again
    auto back = h.now;
    REQUIRE(h.core.hand_off("ada", "c1", {.note = "over to you"}, h.now));
    CHECK(h.core.timer_due(timer_kind::next_response_due, "c1") == back + 2min);
    CHECK(breaches(h.wait(2min), response_clock::next_response).size() == 1);
    h.consistent();
}

TEST_CASE("a chat message that only moves the reply clocks does not rewrite the record", "[queue][sla][reply]") {
    auto h = answered_once();
    auto asked = h.core.customer_message("c1", u1, "a question", "", h.now);
    REQUIRE(asked);
    CHECK(asked.changed_conversations.empty());
    h.wait(30s);
    auto answer = h.core.expert_message("ada", "c1", "an answer", h.now);
    REQUIRE(answer);
    CHECK(answer.changed_conversations.empty());
}

TEST_CASE("a severity-1 conversation is owed an update every cadence while it is active", "[queue][sla][reply]") {
    auto h = answered_once(1);
    auto written = h.now;
    CHECK(h.core.timer_due(timer_kind::update_due, "c1") == written + 10min);
    h.wait(9min);
    REQUIRE(h.core.expert_message("ada", "c1", "still on it", h.now));
    CHECK(breaches(h.wait(9min), response_clock::update).empty());
    auto out = h.wait(1min);
    REQUIRE(breaches(out, response_clock::update).size() == 1);
    CHECK(breaches(h.wait(15min), response_clock::update).empty()); // one breach per silence
    CHECK(h.core.find("c1")->sla.update_breaches == 1);
    REQUIRE(h.core.expert_message("ada", "c1", "found it", h.now));
    CHECK(h.core.timer_due(timer_kind::update_due, "c1") == h.now + 10min);
    h.consistent();
}

TEST_CASE("no update is owed on hold or at a severity without a cadence", "[queue][sla][reply]") {
    auto h = answered_once(1);
    REQUIRE(h.core.expert_hold("ada", "c1", h.now));
    CHECK_FALSE(h.core.timer_due(timer_kind::update_due, "c1"));
    auto calm = answered_once(2);
    CHECK_FALSE(calm.core.timer_due(timer_kind::update_due, "c1"));
}

TEST_CASE("raising a conversation to severity 1 moves its clocks to that severity's targets", "[queue][sla][reply]") {
    auto h = answered_once(3);
    REQUIRE(h.core.customer_message("c1", u1, "it is down now", "", h.now));
    auto asked = h.now;
    h.wait(30s);
    REQUIRE(h.core.classify("ada", false, "c1", {.severity = 1, .request_type = std::nullopt, .priority = std::nullopt, .reason = "production is down"}, h.now));
    CHECK(h.core.timer_due(timer_kind::next_response_due, "c1") == asked + 1min);
    CHECK(h.core.timer_due(timer_kind::update_due, "c1"));
    h.consistent();
}

TEST_CASE("a next-response target in business hours waits for the tier's hours", "[queue][sla][reply]") {
    harness h(reply_targets());
    h.now = sys_days{year{2026} / 1 / 9} + 16h; // Friday 16:00
    auto u2 = harness::standard("u2");
    h.expert("ada");
    h.open("c2", u2);
    REQUIRE(h.core.accept_offer("ada", "c2", h.now));
    REQUIRE(h.core.expert_message("ada", "c2", "hello", h.now));
    h.wait(30min);
    REQUIRE(h.core.customer_message("c2", u2, "and one more", "", h.now)); // 16:30: 30 open minutes left today
    CHECK(h.core.timer_due(timer_kind::next_response_due, "c2") == sys_days{year{2026} / 1 / 12} + 8h + 30min);
}

TEST_CASE("after a restart a customer's message stored after the record starts the next-response clock from it",
          "[queue][sla][reply][restore]") {
    auto h = answered_once();
    core_state state;
    state.conversations.push_back(*h.core.find("c1")); // as written with the first answer
    state.experts.push_back(*h.core.find_expert("ada"));
    for (const auto& t : h.core.pending_timers()) state.timers.push_back(t);
    auto asked = h.now + 3min;
    state.later_messages = {{"c1", party::customer, asked}};
    chat::queue::core restarted(h.core.policy());
    restarted.restore(std::move(state));
    CHECK(restarted.timer_due(timer_kind::next_response_due, "c1") == asked + 2min);
    auto out = restarted.advance(asked + 2min);
    CHECK(breaches(out, response_clock::next_response).size() == 1);
    CHECK(restarted.audit(asked + 2min).empty());
}
