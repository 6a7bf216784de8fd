#include "core_harness.hpp"

using namespace chat::test;
using std::chrono::sys_days;
using std::chrono::year;

TEST_CASE("a silent customer's conversation is saved 30 minutes after the expert's last message", "[queue][saved]") {
    harness h;
    auto u1 = harness::standard("u1");
    h.expert("ada");
    h.chat_with("c1", u1, "ada");
    REQUIRE(h.core.expert_message("ada", "c1", "", h.now));
    h.wait(29min);
    CHECK(h.state("c1") == conversation_state::active);
    auto out = h.wait(1min);
    CHECK(h.state("c1") == conversation_state::saved);
    // Saved Monday 2026-01-05 10:30 UTC: seven business days end Wednesday the 14th at midnight.
    CHECK(out.first<effect::saved>()->reopen_until == sys_days{year{2026} / 1 / 15});
    CHECK(h.of("ada").load == 0);
    h.consistent();
}

TEST_CASE("a customer answer stops the inactivity clock", "[queue][saved]") {
    harness h;
    auto u1 = harness::standard("u1");
    h.expert("ada");
    h.chat_with("c1", u1, "ada");
    h.core.expert_message("ada", "c1", "", h.now);
    h.wait(20min);
    h.core.customer_message("c1", u1, "still here", "", h.now);
    h.wait(2h);
    CHECK(h.state("c1") == conversation_state::active);
}

namespace {

// Ada and u1 in an active conversation c1.
harness chatting() {
    harness h;
    h.expert("ada");
    h.chat_with("c1", harness::standard("u1"), "ada");
    return h;
}

// What the store hands back after a restart: the records as last written (with the timers
// of that moment) and, per conversation, the last chat message stored after its record.
core_state restarted(const harness& h, instant record_written, std::vector<message_after_record> later) {
    core_state state;
    state.conversations.push_back(*h.core.find("c1"));
    state.experts.push_back(*h.core.find_expert("ada"));
    state.timers.push_back({timer_kind::inactivity, "c1", record_written + h.core.policy().inactivity_active});
    state.later_messages = std::move(later);
    return state;
}

} // namespace

TEST_CASE("after a restart an expert's message stored after the record restarts the inactivity clock from it",
          "[queue][saved][restore]") {
    auto h = chatting();
    auto written = h.now; // the expert's first message: the record was written with its timer
    h.wait(20min);
    auto later = h.now;
    chat::queue::core restarted_core(h.core.policy());
    restarted_core.restore(restarted(h, written, {{"c1", party::expert, later}}));
    CHECK(restarted_core.timer_due(timer_kind::inactivity, "c1") == later + 30min);
    restarted_core.advance(written + 31min);
    CHECK(restarted_core.find("c1")->state == conversation_state::active); // the stored timer was superseded
    restarted_core.advance(later + 30min);
    CHECK(restarted_core.find("c1")->state == conversation_state::saved);
}

TEST_CASE("after a restart a customer's answer stored after the record keeps the conversation open",
          "[queue][saved][restore]") {
    auto h = chatting();
    auto written = h.now;
    chat::queue::core restarted_core(h.core.policy());
    restarted_core.restore(restarted(h, written, {{"c1", party::customer, written + 5min}}));
    CHECK_FALSE(restarted_core.timer_due(timer_kind::inactivity, "c1"));
    restarted_core.advance(written + 2h);
    CHECK(restarted_core.find("c1")->state == conversation_state::active);
}

TEST_CASE("after a restart only an active conversation's inactivity clock follows the messages after its record",
          "[queue][saved][restore]") {
    auto h = chatting();
    auto written = h.now;
    REQUIRE(h.core.customer_hold("c1", harness::standard("u1"), h.now)); // on hold: a message would have rewritten the record
    chat::queue::core restarted_core(h.core.policy());
    restarted_core.restore(restarted(h, written, {{"c1", party::customer, written + 1min}}));
    CHECK(restarted_core.timer_due(timer_kind::inactivity, "c1") == written + 30min);
}

TEST_CASE("a conversation on hold is saved after 24 hours of silence", "[queue][saved]") {
    harness h;
    auto u1 = harness::standard("u1");
    h.expert("ada");
    h.chat_with("c1", u1, "ada");
    h.core.customer_hold("c1", u1, h.now);
    h.wait(23h + 59min);
    CHECK(h.state("c1") == conversation_state::on_hold);
    h.wait(1min);
    CHECK(h.state("c1") == conversation_state::saved);
}

TEST_CASE("the reopen deadline follows the customer's region calendar", "[queue][saved]") {
    policy p;
    p.regions.emplace("ae", business_calendar("Asia/Dubai", parse_weekend("fri,sat"),
                                              {sys_days{year{2026} / 1 / 7}}));
    harness h(p);
    auto u1 = harness::enterprise("u1", "ae");
    h.expert("ada");
    h.chat_with("c1", u1, "ada");
    auto out = h.fall_silent("c1");
    // Saved Monday 14:30 Dubai. Tue 6, (Wed 7 holiday), Thu 8, (Fri, Sat), Sun 11, Mon 12,
    // Tue 13, Wed 14, Thu 15: ends Friday 16 00:00 +04:00.
    CHECK(out.first<effect::saved>()->reopen_until == sys_days{year{2026} / 1 / 15} + 20h);
}

TEST_CASE("a reply before the deadline reopens the conversation, preferring the last expert", "[queue][reopen]") {
    harness h;
    auto u1 = harness::standard("u1");
    h.expert("ada");
    h.chat_with("c1", u1, "ada");
    h.fall_silent("c1");
    h.wait(48h);
    h.chat_with("c2", harness::standard("u2"), "ada");
    h.expert("bob"); // fewer conversations than ada: he would win without the preference
    auto out = h.core.customer_message("c1", u1, "the problem is back", "", h.now);
    CHECK(out.first<effect::reopened>());
    CHECK(h.expert_of("c1") == "ada");
    h.consistent();
}

TEST_CASE("a reopened conversation takes its original place in the queue", "[queue][reopen]") {
    harness h;
    auto u1 = harness::standard("u1");
    h.expert("ada", 1);
    h.chat_with("c1", u1, "ada");
    h.fall_silent("c1");
    h.chat_with("c2", harness::standard("u2"), "ada");
    h.open("c3", harness::standard("u3"));
    h.core.customer_message("c1", u1, "hello again", "", h.now);
    CHECK(h.core.queue_order(h.now) == std::vector<conversation_id>{"c1", "c3"});
}

TEST_CASE("after the deadline the conversation closes as expired and a reply is refused clearly", "[queue][reopen]") {
    harness h;
    auto u1 = harness::standard("u1");
    h.expert("ada");
    h.chat_with("c1", u1, "ada");
    h.fall_silent("c1");
    auto out = h.wait(10 * 24h);
    CHECK(out.first<effect::closed>()->reason == close_reason::expired);
    CHECK(refused_with(h.core.customer_message("c1", u1, "hi?", "", h.now), errc::expired));
    const auto& expired = *h.core.find("c1");
    continued earlier{expired.id, expired.customer, true, expired.last_expert};
    auto again = h.core.open({"c1-next", u1, "", "the same problem again", 3, {}, earlier, "", "", ""}, h.now);
    REQUIRE(again);
    CHECK(h.core.find("c1-next")->previous == "c1");
    // The expert who had it is offered the new one first.
    CHECK(h.expert_of("c1-next") == "ada");
}

TEST_CASE("only the customer's own closed conversation can be continued", "[queue][reopen]") {
    harness h;
    auto u1 = harness::standard("u1"), u2 = harness::standard("u2");
    h.expert("ada");
    h.chat_with("c1", u1, "ada");
    continued open_one{"c1", u1, false, std::nullopt};
    CHECK(refused_with(h.core.open({"n1", u1, "", "a new question", 3, {}, open_one, "", "", ""}, h.now), errc::illegal_transition));
    continued someone_elses{"c1", u1, true, std::nullopt};
    CHECK(refused_with(h.core.open({"n2", u2, "", "a new question", 3, {}, someone_elses, "", "", ""}, h.now), errc::not_allowed));
}

TEST_CASE("required skills come from the product area and from rules by tier and severity", "[queue][skills]") {
    skill_routing r;
    r.product_areas["billing"] = {"billing"};
    r.rules.push_back({tier::enterprise, 1, {"senior"}});
    r.rules.push_back({std::nullopt, 4, {"english"}});
    CHECK(r.required(tier::standard, 3, std::string("billing")) == std::set<std::string>{"billing", "english"});
    CHECK(r.required(tier::enterprise, 1, std::string("billing")) == std::set<std::string>{"billing", "english", "senior"});
    CHECK(r.required(tier::enterprise, 2, std::nullopt) == std::set<std::string>{"english"});
    // An area nobody configured adds nothing rather than leaving the conversation unroutable.
    CHECK(r.required(tier::standard, 3, std::string("no-such-area")) == std::set<std::string>{"english"});
}

TEST_CASE("a reply at the deadline expires the conversation even before the timer fired", "[queue][reopen]") {
    harness h;
    auto u1 = harness::standard("u1");
    h.expert("ada");
    h.chat_with("c1", u1, "ada");
    h.fall_silent("c1");
    auto deadline = *h.core.find("c1")->reopen_until;
    auto out = h.core.customer_message("c1", u1, "late", "", deadline);
    CHECK(refused_with(out, errc::expired));
    CHECK(out.first<effect::closed>());
}
