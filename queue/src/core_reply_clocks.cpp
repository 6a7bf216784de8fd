// The next-response and update clocks: what a chat's messages owe after the first answer.

#include "core_step.hpp"

namespace chat::queue {

namespace {

// A customer in these states waits for an expert's answer; on hold, saved or scheduled they
// agreed to wait.
bool waits_for_answer(conversation_state s) {
    return s == conversation_state::active || s == conversation_state::queued || s == conversation_state::offered;
}

} // namespace

const std::optional<response_target>& core::reply_target(const conversation& c, response_clock k) const {
    const auto& tp = policy_.of(c.customer.tier);
    return (k == response_clock::update ? tp.update_every : tp.next_response)[c.severity - 1];
}

std::optional<instant> core::reply_due(const conversation& c, response_clock k) const {
    const auto& target = reply_target(c, k);
    bool update = k == response_clock::update;
    const auto& from = update ? c.replies.update_from : c.replies.awaiting_since;
    if (!target || !from || (update ? c.replies.update_breached : c.replies.awaiting_breached)) return std::nullopt;
    return due_at(*target, *from, policy_.hours_calendar(c.customer.tier, c.customer.region),
                  policy_.of(c.customer.tier).hours);
}

void core::rearm_reply_clocks(step& s, conversation& c) {
    for (auto [k, t] : {std::pair{response_clock::next_response, timer_kind::next_response_due},
                        std::pair{response_clock::update, timer_kind::update_due}}) {
        if (auto due = reply_due(c, k))
            arm(s, t, c.id, *due);
        else
            disarm(s, t, c.id);
    }
}

void core::await_reply(step& s, conversation& c) {
    // Before the first answer the first-response clock runs; a second message waits on the first.
    if (!c.sla.responded_at || c.replies.awaiting_since || !waits_for_answer(c.state)) return;
    c.replies.awaiting_since = s.now;
    c.replies.awaiting_breached = false;
    rearm_reply_clocks(s, c);
}

void core::answered(step& s, conversation& c) {
    if (c.replies.awaiting_since && (reply_target(c, response_clock::next_response) || c.replies.awaiting_breached))
        s.emit(effect::reply_answered{c.id, s.now - *c.replies.awaiting_since, !c.replies.awaiting_breached});
    c.replies.awaiting_since.reset();
    c.replies.awaiting_breached = false;
    if (c.state == conversation_state::active) {
        c.replies.update_from = s.now;
        c.replies.update_breached = false;
    }
    rearm_reply_clocks(s, c);
}

void core::follow_state(conversation& c, conversation_state to, instant now) {
    // Updates are owed while an expert holds it active, counted from when it became so.
    c.replies.update_breached = false;
    if (to == conversation_state::active)
        c.replies.update_from = now;
    else
        c.replies.update_from.reset();
    if (!waits_for_answer(to)) {
        c.replies.awaiting_since.reset();
        c.replies.awaiting_breached = false;
    }
}

} // namespace chat::queue
