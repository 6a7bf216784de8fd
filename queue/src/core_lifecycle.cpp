// The core's internal transitions: every change of a conversation's state goes through here.

#include "chat/queue/core.hpp"

#include "core_step.hpp"

namespace chat::queue {

void core::set_state(step& s, conversation& c, conversation_state to) {
    s.touch(c);
    if (c.state == to) return;
    if (c.state == conversation_state::queued) reported_.erase(c.id);
    s.emit(effect::state_changed{c.id, c.state, to});
    c.state = to;
    follow_state(c, to, s.now);
    rearm_reply_clocks(s, c);
}

waiting_line::entry core::line_entry(const conversation& c) const {
    int rank = c.severity - min_severity;
    if (policy_.rank_by_priority) rank += static_cast<int>(c.priority) * max_severity;
    return {c.customer.tier, rank, c.first_queued_at, c.sequence, c.id};
}

void core::enqueue(step& s, conversation& c) {
    set_state(s, c, conversation_state::queued);
    waiting_.push(line_entry(c));
    if (!is_open_for(c, s.now)) {
        const auto& tp = policy_.of(c.customer.tier);
        const auto& calendar = policy_.hours_calendar(c.customer.tier, c.customer.region);
        auto opens = calendar.next_open(s.now, tp.hours);
        s.emit(effect::deferred{c.id, opens, tp.calls_on_call(c.severity)});
        // One timer per calendar and tier: every conversation waiting for the same opening.
        arm(s, timer_kind::business_open,
            policy_.hours_region(c.customer.tier, c.customer.region) + '/' + std::string(to_string(c.customer.tier)), opens);
    }
}

void core::take_capacity(step& s, conversation& c, expert& x) {
    s.touch(c);
    s.touch(x);
    if (c.holds_capacity) return;
    ++x.load;
    c.holds_capacity = true;
}

void core::release_capacity(step& s, conversation& c) {
    s.touch(c);
    if (!c.holds_capacity) return;
    c.holds_capacity = false;
    if (c.expert) --s.touch(experts_.at(*c.expert)).load;
}

void core::detach_expert(step& s, conversation& c) {
    release_capacity(s, c);
    if (c.expert) s.touch(experts_.at(*c.expert)).conversations.erase(c.id);
    c.expert.reset();
}

hand_off_record& core::remember_hand_off(conversation& c, const expert_id& from, const hand_off_card& card, instant now) {
    // Each hand-off excludes its expert, so the list is short; the cap bounds it anyway.
    constexpr std::size_t kept = 20;
    if (c.hand_offs.size() == kept) c.hand_offs.erase(c.hand_offs.begin());
    return c.hand_offs.emplace_back(hand_off_record{from, card.note, now, card.tried, card.promised, card.promised_at});
}

void core::offer(step& s, conversation& c, expert& x) {
    waiting_.erase(c.id);
    s.touch(c);
    s.touch(x);
    c.expert = x.id;
    x.conversations.insert(c.id);
    take_capacity(s, c, x);
    x.last_routed_at = s.now;
    if (c.reserved && c.reserved->direct) {
        // A held conversation going back to the expert who held it needs no offer.
        c.reserved.reset();
        disarm(s, timer_kind::reservation_end, c.id);
        set_state(s, c, conversation_state::active);
        s.emit(effect::resumed{c.id, x.id});
        return;
    }
    if (x.auto_accept) {
        assign(s, c, x);
        return;
    }
    set_state(s, c, conversation_state::offered);
    c.offer_expires_at = s.now + policy_.offer_timeout;
    arm(s, timer_kind::offer_timeout, c.id, *c.offer_expires_at);
    s.emit(effect::offered{c.id, x.id, *c.offer_expires_at});
}

void core::assign(step& s, conversation& c, expert& x) {
    disarm(s, timer_kind::offer_timeout, c.id);
    c.offer_expires_at.reset();
    c.reserved.reset();
    disarm(s, timer_kind::reservation_end, c.id);
    set_state(s, c, conversation_state::active);
    c.assigned_at = s.now;
    c.last_expert = x.id;
    s.emit(effect::assigned{c.id, x.id});
}

void core::withdraw_offer(step& s, conversation& c, bool missed) {
    auto& x = s.touch(experts_.at(*c.expert));
    disarm(s, timer_kind::offer_timeout, c.id);
    c.offer_expires_at.reset();
    s.emit(effect::offer_withdrawn{c.id, x.id, missed});
    detach_expert(s, c);
    enqueue(s, c);
    if (missed && x.presence == presence::available) {
        x.presence = presence::away;
        s.emit(effect::presence_changed{x.id, presence::away});
    }
}

void core::hand_off_all(step& s, expert& x, const std::string& note) {
    std::vector<conversation_id> mine(x.conversations.begin(), x.conversations.end());
    for (const auto& id : mine) {
        auto& c = s.touch(conversations_.at(id));
        if (c.state == conversation_state::offered) {
            withdraw_offer(s, c, false);
            continue;
        }
        c.excluded.insert(x.id);
        detach_expert(s, c);
        remember_hand_off(c, x.id, {.note = note}, s.now);
        s.emit(effect::handed_off{c.id, x.id, note});
        // A held conversation stays on hold, now with nobody: a customer reply queues it.
        if (c.state == conversation_state::active) {
            disarm(s, timer_kind::inactivity, c.id);
            enqueue(s, c);
        }
    }
}

void core::hold(step& s, conversation& c, party by) {
    set_state(s, c, conversation_state::on_hold);
    if (policy_.hold_frees_capacity) release_capacity(s, c);
    pause_sla(s, c);
    arm(s, timer_kind::inactivity, c.id, s.now + policy_.inactivity_on_hold);
    s.emit(effect::held{c.id, by});
}

void core::leave_hold(step& s, conversation& c) {
    disarm(s, timer_kind::inactivity, c.id);
    resume_sla(s, c);
    if (!c.expert) {
        enqueue(s, c);
        return;
    }
    auto& x = s.touch(experts_.at(*c.expert));
    if (c.holds_capacity ||
        (x.load < x.capacity && x.connected && x.presence != presence::offline)) {
        take_capacity(s, c, x);
        set_state(s, c, conversation_state::active);
        s.emit(effect::resumed{c.id, x.id});
        return;
    }
    // The expert is full: wait for them a little, in the conversation's own place.
    detach_expert(s, c);
    c.reserved = reservation{x.id, s.now + policy_.hold_return_window, true};
    arm(s, timer_kind::reservation_end, c.id, c.reserved->until);
    enqueue(s, c);
}

void core::save(step& s, conversation& c) {
    disarm(s, timer_kind::inactivity, c.id);
    pause_sla(s, c);
    detach_expert(s, c);
    set_state(s, c, conversation_state::saved);
    c.reopen_until = policy_.calendar_of(c.customer.region)
                         .business_days_deadline(s.now, policy_.reopen_business_days);
    arm(s, timer_kind::reopen_deadline, c.id, *c.reopen_until);
    s.emit(effect::saved{c.id, *c.reopen_until});
}

void core::reopen(step& s, conversation& c) {
    disarm(s, timer_kind::reopen_deadline, c.id);
    c.reopen_until.reset();
    s.emit(effect::reopened{c.id});
    resume_sla(s, c);
    enqueue(s, c);
}

void core::close(step& s, conversation& c, close_reason why) {
    waiting_.erase(c.id);
    if (c.state == conversation_state::offered)
        s.emit(effect::offer_withdrawn{c.id, *c.expert, false});
    if (c.state == conversation_state::active && c.assigned_at) {
        // Recent handle times feed the estimated wait.
        average_handle_ = (average_handle_ * 4 + (s.now - *c.assigned_at)) / 5;
    }
    pause_sla(s, c);
    detach_expert(s, c);
    c.reserved.reset();
    for (auto k : {timer_kind::offer_timeout, timer_kind::stay_due, timer_kind::reservation_end,
                   timer_kind::inactivity, timer_kind::reopen_deadline, timer_kind::sla_deadline})
        disarm(s, k, c.id);
    c.offer_expires_at.reset();
    c.proposed_stay_at.reset();
    set_state(s, c, conversation_state::closed);
    c.closed_as = why;
    c.closed_at = s.now;
    auto open = open_by_customer_.find(customer_key(c.customer));
    if (open != open_by_customer_.end()) {
        open->second.erase(c.id);
        if (open->second.empty()) open_by_customer_.erase(open);
    }
    s.emit(effect::closed{c.id, why});
    bool asks_feedback = why == close_reason::resolved || why == close_reason::customer_left ||
                         why == close_reason::escalated;
    if (asks_feedback && c.assigned_at) {
        c.survey_requested = true;
        s.emit(effect::survey_requested{c.id});
    }
}

void core::restrict_customer(step& s, const conversation& c) {
    auto until = s.now + policy_.conduct_restriction;
    restrictions_[customer_key(c.customer)] = until;
    s.emit(effect::restricted{c.customer.tenant, c.customer.user, until});
}

bool core::screen_conduct(step& s, conversation& c, std::string_view text) {
    if (!conduct_.offends(text)) return false;
    ++c.offences;
    if (c.offences < policy_.conduct_max_offences) {
        s.emit(effect::warned{c.id, c.offences});
        return false;
    }
    close(s, c, close_reason::conduct);
    restrict_customer(s, c);
    return true;
}

// --- SLA clocks -------------------------------------------------------------------------

duration core::sla_elapsed(const conversation& c, instant now) const {
    auto elapsed = c.sla.elapsed;
    if (!c.sla.running_since) return elapsed;
    const auto& tp = policy_.of(c.customer.tier);
    if (tp.sla_in_business_time)
        return elapsed + policy_.hours_calendar(c.customer.tier, c.customer.region)
                             .open_time_between(*c.sla.running_since, now, tp.hours);
    return elapsed + (now - *c.sla.running_since);
}

response_target core::first_response_target(const conversation& c) const {
    return policy_.of(c.customer.tier).sla_in_business_time ? response_target::open_time(c.sla.target)
                                                            : response_target::wall_clock(c.sla.target);
}

void core::start_sla(step& s, conversation& c) {
    c.sla.target = policy_.of(c.customer.tier).first_response_target[c.severity - 1];
    resume_sla(s, c);
}

void core::resume_sla(step& s, conversation& c) {
    if (c.sla.responded_at || c.sla.running_since) return;
    c.sla.running_since = s.now;
    if (c.sla.breached) return;
    const auto& tp = policy_.of(c.customer.tier);
    auto remaining = std::max(duration::zero(), c.sla.target - c.sla.elapsed);
    auto due = tp.sla_in_business_time
                   ? policy_.hours_calendar(c.customer.tier, c.customer.region).add_open_time(s.now, remaining, tp.hours)
                   : s.now + remaining;
    arm(s, timer_kind::sla_deadline, c.id, due);
}

void core::pause_sla(step& s, conversation& c) {
    if (!c.sla.running_since) return;
    c.sla.elapsed = sla_elapsed(c, s.now);
    c.sla.running_since.reset();
    disarm(s, timer_kind::sla_deadline, c.id);
}

void core::record_first_response(step& s, conversation& c) {
    if (c.sla.responded_at) return;
    pause_sla(s, c);
    c.sla.responded_at = s.now;
    bool within = c.sla.elapsed <= c.sla.target;
    if (!within && !c.sla.breached) {
        c.sla.breached = true;
        s.emit(effect::sla_breached{c.id, first_response_target(c)});
    }
    s.emit(effect::first_response{c.id, c.sla.elapsed, within});
}

// --- Timers -----------------------------------------------------------------------------

void core::arm(step& s, timer_kind k, const std::string& subject, instant due) {
    timer t{k, subject, due};
    if (timers_.due(k, subject) == due) return;
    timers_.arm(t);
    s.emit(effect::timer_set{std::move(t)});
}

void core::disarm(step& s, timer_kind k, const std::string& subject) {
    if (auto old = timers_.cancel(k, subject)) s.emit(effect::timer_cleared{std::move(*old)});
}

void core::fire(step& s, const timer& t) {
    if (t.kind == timer_kind::business_open) return; // the routing pass after it does the work
    if (t.kind == timer_kind::disconnect_grace) {
        auto it = experts_.find(t.subject);
        if (it == experts_.end() || it->second.connected) return;
        auto& x = s.touch(it->second);
        if (x.presence != presence::offline) {
            x.presence = presence::offline;
            s.emit(effect::presence_changed{x.id, presence::offline});
        }
        hand_off_all(s, x, "the expert lost their connection");
        return;
    }
    auto it = conversations_.find(t.subject);
    if (it == conversations_.end()) return;
    auto& c = s.touch(it->second);
    switch (t.kind) {
    case timer_kind::offer_timeout:
        if (c.state == conversation_state::offered) withdraw_offer(s, c, true);
        break;
    case timer_kind::stay_due:
        if (c.state == conversation_state::scheduled && c.last_expert) {
            c.scheduled_at.reset();
            c.reserved = reservation{*c.last_expert, s.now + policy_.stay_grace, false};
            arm(s, timer_kind::reservation_end, c.id, c.reserved->until);
            resume_sla(s, c);
            enqueue(s, c);
        }
        break;
    case timer_kind::reservation_end:
        c.reserved.reset();
        break;
    case timer_kind::inactivity:
        if (c.state == conversation_state::active || c.state == conversation_state::on_hold)
            save(s, c);
        break;
    case timer_kind::reopen_deadline:
        if (c.state == conversation_state::saved) close(s, c, close_reason::expired);
        break;
    case timer_kind::sla_deadline:
        if (!c.sla.responded_at && !c.sla.breached && sla_elapsed(c, s.now) >= c.sla.target) {
            c.sla.breached = true;
            s.emit(effect::sla_breached{c.id, first_response_target(c)});
        }
        break;
    case timer_kind::next_response_due:
    case timer_kind::update_due: {
        auto clock = t.kind == timer_kind::update_due ? response_clock::update : response_clock::next_response;
        auto due = reply_due(c, clock);
        if (!due || *due > s.now) break;
        if (clock == response_clock::update) {
            c.replies.update_breached = true;
            ++c.sla.update_breaches;
        } else {
            c.replies.awaiting_breached = true;
            ++c.sla.next_response_breaches;
        }
        s.emit(effect::sla_breached{c.id, *reply_target(c, clock), clock});
        break;
    }
    default: break;
    }
}

} // namespace chat::queue
