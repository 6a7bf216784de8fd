// What customers do: open, write, hold, ask to stay, close, rate.

#include "chat/queue/core.hpp"

#include "core_step.hpp"

#include "chat/queue/text_similarity.hpp"

namespace chat::queue {
namespace {

constexpr std::size_t max_survey_comment = 4000;

} // namespace

outcome core::open(const opening& o, instant now) {
    outcome out;
    step s{now, out};
    if (o.id.empty() || o.customer.user.empty() || o.severity < min_severity ||
        o.severity > max_severity) {
        s.refuse(errc::invalid_argument);
        return out;
    }
    if (conversations_.count(o.id)) {
        s.refuse(errc::already_exists);
        return out;
    }
    auto key = customer_key(o.customer);
    if (auto mine = open_by_customer_.find(key); mine != open_by_customer_.end() && !o.client_id.empty()) {
        // A retried open (its answer was lost) gets the conversation it already made.
        bool unknown = false;
        for (const auto& id : mine->second) {
            auto before = numbered_before(conversations_.at(id), o.client_id);
            if (before && !before->error) return *before;
            unknown = unknown || before.has_value();
        }
        if (unknown) {
            s.refuse(errc::recent_ids_unknown);
            return out;
        }
    }
    if (auto r = restrictions_.find(key); r != restrictions_.end()) {
        if (r->second > now) {
            s.refuse(errc::restricted);
            return out;
        }
        restrictions_.erase(r);
    }
    if (o.continues) {
        // Only the customer's own conversation, and only once it is over.
        const auto& prev = *o.continues;
        if (prev.owner.tenant != o.customer.tenant || prev.owner.user != o.customer.user) {
            s.refuse(errc::not_allowed);
            return out;
        }
        if (!prev.closed) {
            s.refuse(errc::illegal_transition);
            return out;
        }
    }

    auto& open_ones = open_by_customer_[key];
    // The same issue again: send the customer to the conversation they already have.
    std::string text = o.topic + ' ' + o.message;
    std::optional<conversation_id> same;
    double best = 0;
    for (const auto& id : open_ones) {
        const auto& k = conversations_.at(id);
        for (const auto& m : k.opening_messages) {
            double sim = text_similarity(text, k.topic + ' ' + m);
            if (sim >= policy_.duplicate_threshold && sim > best) best = sim, same = k.id;
        }
    }
    if (!same && static_cast<int>(open_ones.size()) >= policy_.max_open_per_customer) {
        if (open_ones.empty()) open_by_customer_.erase(key);
        s.refuse(errc::too_many_open);
        return out;
    }

    auto& c = conversations_[o.id];
    c.id = o.id;
    s.touch(c);
    c.customer = o.customer;
    c.customer_name = o.customer_name;
    c.epoch = o.epoch;
    c.topic = o.topic;
    c.severity = o.severity;
    c.request_type = o.request_type;
    c.priority = o.priority;
    c.required_skills = o.required_skills;
    c.opening_messages = {o.message};
    if (o.continues) {
        c.previous = o.continues->id;
        c.last_expert = o.continues->last_expert;
    }
    c.opened_at = c.first_queued_at = now;
    c.sequence = ++sequence_;
    s.emit(effect::opened{c.id});

    if (same) {
        auto& kept = s.touch(conversations_.at(*same));
        kept.opening_messages.push_back(o.message);
        c.duplicate_of = kept.id;
        set_state(s, c, conversation_state::closed);
        c.closed_as = close_reason::duplicate;
        c.closed_at = now;
        s.emit(effect::duplicate{c.id, kept.id, o.message});
        s.emit(effect::closed{c.id, close_reason::duplicate});
        out.conversation = kept.id;
        // The opening text continues the kept conversation.
        number(out, kept, o.client_id, now);
        return out;
    }

    open_ones.insert(c.id);
    out.conversation = c.id;
    number(out, c, o.client_id, now);
    start_sla(s, c);
    enqueue(s, c);
    route(s);
    return out;
}

outcome core::customer_message(const conversation_id& id, const customer& who,
                               std::string_view text, const std::string& client_id, instant now) {
    if (auto it = conversations_.find(id); it != conversations_.end()) {
        outcome refused;
        if (!owned_by_customer(it->second, who, refused)) return refused;
        if (auto before = numbered_before(it->second, client_id)) return *before;
    }
    auto out = reporting_real_changes(id, [&] { return customer_message_event(id, who, text, now); });
    if (!out.error) number(out, conversations_.at(id), client_id, now);
    return out;
}

outcome core::customer_message_event(const conversation_id& id, const customer& who,
                                     std::string_view text, instant now) {
    outcome out;
    step s{now, out};
    auto* c = lookup(id, out);
    if (!c || !owned_by_customer(*c, who, out)) return out;
    if (c->state == conversation_state::saved && c->reopen_until && now >= *c->reopen_until) {
        disarm(s, timer_kind::reopen_deadline, c->id);
        close(s, *c, close_reason::expired);
    }
    if (c->state == conversation_state::closed) {
        s.refuse(c->closed_as == close_reason::expired ? errc::expired : errc::illegal_transition);
        return out;
    }
    if (screen_conduct(s, *c, text)) {
        route(s);
        return out;
    }
    switch (c->state) {
    case conversation_state::on_hold: leave_hold(s, *c); break;
    case conversation_state::saved: reopen(s, *c); break;
    case conversation_state::active:
        disarm(s, timer_kind::inactivity, c->id); // the customer answered
        await_reply(s, *c);
        return out; // nothing that routing depends on changed: the hot path of a chat stays O(1)
    default: break;
    }
    await_reply(s, *c);
    route(s);
    return out;
}

outcome core::customer_hold(const conversation_id& id, const customer& who, instant now) {
    outcome out;
    step s{now, out};
    auto* c = lookup(id, out);
    if (!c || !owned_by_customer(*c, who, out)) return out;
    if (c->state != conversation_state::active) {
        s.refuse(errc::illegal_transition);
        return out;
    }
    hold(s, *c, party::customer);
    route(s);
    return out;
}

outcome core::customer_resume(const conversation_id& id, const customer& who, instant now) {
    outcome out;
    step s{now, out};
    auto* c = lookup(id, out);
    if (!c || !owned_by_customer(*c, who, out)) return out;
    if (c->state != conversation_state::on_hold) {
        s.refuse(errc::illegal_transition);
        return out;
    }
    leave_hold(s, *c);
    route(s);
    return out;
}

outcome core::request_stay(const conversation_id& id, const customer& who, instant now) {
    outcome out;
    step s{now, out};
    auto* c = lookup(id, out);
    if (!c || !owned_by_customer(*c, who, out)) return out;
    if (c->state != conversation_state::active || !c->expert) {
        s.refuse(errc::illegal_transition);
        return out;
    }
    s.emit(effect::stay_requested{c->id, *c->expert});
    return out;
}

outcome core::accept_stay(const conversation_id& id, const customer& who, instant at, instant now) {
    outcome out;
    step s{now, out};
    auto* c = lookup(id, out);
    if (!c || !owned_by_customer(*c, who, out)) return out;
    if (c->state != conversation_state::active || !c->expert) {
        s.refuse(errc::illegal_transition);
        return out;
    }
    if (c->proposed_stay_at != at || at <= now) {
        s.refuse(errc::no_proposal);
        return out;
    }
    auto x = *c->expert;
    disarm(s, timer_kind::inactivity, c->id);
    pause_sla(s, *c);
    detach_expert(s, *c);
    c->last_expert = x;
    c->proposed_stay_at.reset();
    c->scheduled_at = at;
    set_state(s, *c, conversation_state::scheduled);
    arm(s, timer_kind::stay_due, c->id, at);
    s.emit(effect::scheduled{c->id, x, at});
    route(s);
    return out;
}

outcome core::customer_close(const conversation_id& id, const customer& who, instant now) {
    outcome out;
    step s{now, out};
    auto* c = lookup(id, out);
    if (!c || !owned_by_customer(*c, who, out)) return out;
    if (c->state == conversation_state::closed) {
        s.refuse(errc::illegal_transition);
        return out;
    }
    close(s, *c, close_reason::customer_left);
    route(s);
    return out;
}

outcome core::submit_survey(const conversation_id& id, const customer& who, int rating,
                            std::string comment, instant now) {
    outcome out;
    step s{now, out};
    auto* c = lookup(id, out);
    if (!c || !owned_by_customer(*c, who, out)) return out;
    if (c->state != conversation_state::closed || !c->survey_requested || c->survey_rating) {
        s.refuse(errc::illegal_transition);
        return out;
    }
    if (rating < 1 || rating > 5 || comment.size() > max_survey_comment) {
        s.refuse(errc::invalid_argument);
        return out;
    }
    c->survey_rating = rating;
    c->survey_comment = std::move(comment);
    s.emit(effect::survey_recorded{c->id, rating, c->survey_comment});
    return out;
}

} // namespace chat::queue
