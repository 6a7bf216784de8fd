// What experts do with conversations: accept, write, hand off, hold, merge, escalate, close.

#include "chat/queue/core.hpp"

#include "core_step.hpp"

namespace chat::queue {
namespace {

constexpr std::size_t max_summary = 20000;

} // namespace

outcome core::accept_offer(const expert_id& e, const conversation_id& id, instant now) {
    outcome out;
    step s{now, out};
    auto* c = lookup(id, out);
    auto* x = c ? lookup_expert(e, out) : nullptr;
    if (!x) return out;
    if (c->state != conversation_state::offered || c->expert != e) {
        s.refuse(errc::no_offer);
        return out;
    }
    assign(s, *c, *x);
    route(s);
    return out;
}

outcome core::decline_offer(const expert_id& e, const conversation_id& id, instant now) {
    outcome out;
    step s{now, out};
    auto* c = lookup(id, out);
    if (!c) return out;
    if (c->state != conversation_state::offered || c->expert != e) {
        s.refuse(errc::no_offer);
        return out;
    }
    c->excluded.insert(e);
    withdraw_offer(s, *c, false);
    route(s);
    return out;
}

outcome core::expert_message(const expert_id& e, const conversation_id& id, const std::string& client_id,
                             instant now) {
    // A retry is recognised for the expert who wrote it, even after the conversation moved on.
    if (auto it = conversations_.find(id);
        it != conversations_.end() && (it->second.expert == e || it->second.last_expert == e || it->second.joined.count(e)))
        if (auto before = numbered_before(it->second, client_id)) return *before;
    auto out = reporting_real_changes(id, [&] { return expert_message_event(e, id, now); });
    if (!out.error) number(out, conversations_.at(id), client_id, now);
    return out;
}

outcome core::call_message(const expert_id& e, const conversation_id& id, const std::string& client_id, instant now) {
    if (const auto* c = find(id); c && !policy_.calls.allow(c->severity)) {
        outcome out;
        out.error = make_error_code(errc::not_allowed);
        return out;
    }
    return expert_message(e, id, client_id, now);
}

outcome core::expert_message_event(const expert_id& e, const conversation_id& id, instant now) {
    outcome out;
    step s{now, out};
    auto* c = lookup(id, out);
    // A lead who joined writes beside the expert who holds it.
    if (!c || (!c->joined.count(e) && !held_by_expert(*c, e, out))) return out;
    if (!engaged(*c)) {
        s.refuse(errc::illegal_transition);
        return out;
    }
    record_first_response(s, *c);
    answered(s, *c);
    // Waiting for the customer's answer; a long silence saves the conversation.
    if (c->state == conversation_state::active)
        arm(s, timer_kind::inactivity, c->id, now + policy_.inactivity_active);
    return out;
}

outcome core::hand_off(const expert_id& e, const conversation_id& id, hand_off_card card, instant now) {
    outcome out;
    step s{now, out};
    auto* c = lookup(id, out);
    if (!c || !held_by_expert(*c, e, out)) return out;
    if (!engaged(*c)) {
        s.refuse(errc::illegal_transition);
        return out;
    }
    if (too_long(card)) {
        s.refuse(errc::invalid_argument);
        return out;
    }
    c->excluded.insert(e);
    disarm(s, timer_kind::inactivity, c->id);
    if (c->state == conversation_state::on_hold) resume_sla(s, *c);
    detach_expert(s, *c);
    remember_hand_off(*c, e, card, now);
    s.emit(effect::handed_off{c->id, e, std::move(card.note)});
    enqueue(s, *c);
    route(s);
    return out;
}

outcome core::propose_stay(const expert_id& e, const conversation_id& id, instant at,
                           instant now) {
    outcome out;
    step s{now, out};
    auto* c = lookup(id, out);
    if (!c || !held_by_expert(*c, e, out)) return out;
    if (c->state != conversation_state::active) {
        s.refuse(errc::illegal_transition);
        return out;
    }
    if (at <= now) {
        s.refuse(errc::invalid_argument);
        return out;
    }
    c->proposed_stay_at = at;
    s.emit(effect::stay_proposed{c->id, e, at});
    return out;
}

outcome core::expert_hold(const expert_id& e, const conversation_id& id, instant now) {
    outcome out;
    step s{now, out};
    auto* c = lookup(id, out);
    if (!c || !held_by_expert(*c, e, out)) return out;
    if (c->state != conversation_state::active) {
        s.refuse(errc::illegal_transition);
        return out;
    }
    hold(s, *c, party::expert);
    route(s);
    return out;
}

outcome core::expert_resume(const expert_id& e, const conversation_id& id, instant now) {
    outcome out;
    step s{now, out};
    auto* c = lookup(id, out);
    if (!c || !held_by_expert(*c, e, out)) return out;
    if (c->state != conversation_state::on_hold) {
        s.refuse(errc::illegal_transition);
        return out;
    }
    auto& x = experts_.at(e);
    if (!c->holds_capacity && x.load >= x.capacity) {
        s.refuse(errc::over_capacity);
        return out;
    }
    take_capacity(s, *c, x);
    disarm(s, timer_kind::inactivity, c->id);
    resume_sla(s, *c);
    set_state(s, *c, conversation_state::active);
    s.emit(effect::resumed{c->id, e});
    return out;
}

outcome core::mark_duplicate(const expert_id& e, const conversation_id& id,
                             const conversation_id& of, instant now) {
    outcome out;
    step s{now, out};
    auto* c = lookup(id, out);
    if (!c || !held_by_expert(*c, e, out)) return out;
    auto* kept = lookup(of, out);
    if (!kept) return out;
    if (of == id) {
        s.refuse(errc::invalid_argument);
        return out;
    }
    if (!owned_by_customer(*kept, c->customer, out)) return out;
    if (!engaged(*c) || kept->state == conversation_state::closed) {
        s.refuse(errc::illegal_transition);
        return out;
    }
    kept->opening_messages.insert(kept->opening_messages.end(), c->opening_messages.begin(),
                                  c->opening_messages.end());
    c->duplicate_of = of;
    s.emit(effect::duplicate{c->id, of, {}});
    close(s, *c, close_reason::duplicate);
    route(s);
    return out;
}

outcome core::escalate(const expert_id& e, const conversation_id& id, std::string summary,
                       instant now) {
    outcome out;
    step s{now, out};
    auto* c = lookup(id, out);
    if (!c || !held_by_expert(*c, e, out)) return out;
    if (!engaged(*c)) {
        s.refuse(errc::illegal_transition);
        return out;
    }
    if (summary.size() > max_summary) {
        s.refuse(errc::invalid_argument);
        return out;
    }
    c->ticket = "T-" + c->id;
    const auto& tp = policy_.of(c->customer.tier);
    auto respond_by = due_at(tp.initial_contact[c->severity - 1], now,
                             policy_.hours_calendar(c->customer.tier, c->customer.region), tp.hours);
    s.emit(effect::ticket{*c->ticket, c->id, c->customer, c->severity, e, std::move(summary), respond_by});
    close(s, *c, close_reason::escalated);
    route(s);
    return out;
}

outcome core::report_conduct(const expert_id& e, const conversation_id& id, instant now) {
    outcome out;
    step s{now, out};
    auto* c = lookup(id, out);
    if (!c || !held_by_expert(*c, e, out)) return out;
    if (!engaged(*c)) {
        s.refuse(errc::illegal_transition);
        return out;
    }
    close(s, *c, close_reason::conduct);
    restrict_customer(s, *c);
    route(s);
    return out;
}

outcome core::expert_close(const expert_id& e, const conversation_id& id, instant now) {
    outcome out;
    step s{now, out};
    auto* c = lookup(id, out);
    if (!c || !held_by_expert(*c, e, out)) return out;
    if (!engaged(*c)) {
        s.refuse(errc::illegal_transition);
        return out;
    }
    close(s, *c, close_reason::resolved);
    route(s);
    return out;
}

} // namespace chat::queue
