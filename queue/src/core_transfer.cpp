// Moving a conversation on by name: an expert's transfer, and the team lead's controls.

#include "chat/queue/core.hpp"

#include "core_step.hpp"

namespace chat::queue {

bool core::can_take(const expert& x, const conversation& c) const {
    return x.tenant == c.customer.tenant && x.connected && x.presence == presence::available &&
           x.load < x.capacity;
}

bool core::team_exists(const std::string& tenant, const std::string& team, const expert_id& besides) const {
    for (const auto& [id, x] : experts_)
        if (id != besides && x.tenant == tenant && x.granted_skills.count(team)) return true;
    return false;
}

outcome core::transfer(const expert_id& e, const conversation_id& id, const transfer_target& to,
                       hand_off_card card, instant now) {
    outcome out;
    step s{now, out};
    auto* c = lookup(id, out);
    if (!c || !held_by_expert(*c, e, out)) return out;
    if (!engaged(*c)) {
        s.refuse(errc::illegal_transition);
        return out;
    }
    if (too_long(card) || to.expert.has_value() == !to.team.empty() || to.expert == e) {
        s.refuse(errc::invalid_argument);
        return out;
    }
    expert* target = nullptr;
    if (to.expert) {
        auto it = experts_.find(*to.expert);
        if (it == experts_.end() || it->second.tenant != c->customer.tenant) {
            s.refuse(errc::unknown_expert);
            return out;
        }
        target = &it->second;
        if (!can_take(*target, *c)) {
            s.refuse(errc::expert_unavailable);
            return out;
        }
    } else if (!team_exists(c->customer.tenant, to.team, e)) {
        s.refuse(errc::unknown_team);
        return out;
    }
    c->excluded.insert(e);
    disarm(s, timer_kind::inactivity, c->id);
    if (c->state == conversation_state::on_hold) resume_sla(s, *c);
    detach_expert(s, *c);
    auto& record = remember_hand_off(*c, e, card, now);
    record.to = to.expert;
    record.team = to.team;
    s.emit(effect::handed_off{c->id, e, std::move(card.note), to.expert, to.team});
    if (target) {
        // Chosen by name, even after declining it before; declining now puts it back in its place.
        c->excluded.erase(target->id);
        offer(s, *c, *target);
    } else {
        c->required_skills = {to.team};
        enqueue(s, *c);
    }
    route(s);
    return out;
}

outcome core::reassign(const conversation_id& id, const expert_id& to, instant now) {
    outcome out;
    step s{now, out};
    auto* c = lookup(id, out);
    auto* x = c ? lookup_expert(to, out) : nullptr;
    if (!x) return out;
    if (x->tenant != c->customer.tenant) {
        s.refuse(errc::unknown_expert);
        return out;
    }
    bool waiting = c->state == conversation_state::queued || c->state == conversation_state::offered;
    if ((!waiting && !engaged(*c)) || (engaged(*c) && c->expert == to)) {
        s.refuse(errc::illegal_transition);
        return out;
    }
    // A lead may place beyond presence (an away expert who agreed) but not beyond capacity.
    bool held_by_them = c->expert == to && c->holds_capacity;
    if (!x->connected || x->presence == presence::offline || (!held_by_them && x->load >= x->capacity)) {
        s.refuse(errc::expert_unavailable);
        return out;
    }
    if (c->state == conversation_state::offered) {
        disarm(s, timer_kind::offer_timeout, c->id);
        c->offer_expires_at.reset();
        if (c->expert != to) s.emit(effect::offer_withdrawn{c->id, *c->expert, false});
    } else if (engaged(*c) && c->expert) {
        s.emit(effect::handed_off{c->id, *c->expert, "reassigned by a team lead", to, {}});
    }
    if (c->expert != to) detach_expert(s, *c);
    waiting_.erase(c->id);
    c->excluded.erase(to);
    c->expert = to;
    x->conversations.insert(c->id);
    x->last_routed_at = now;
    if (c->state == conversation_state::on_hold) {
        // Still on hold, now with them: the customer's reply brings it back to them.
        if (!policy_.hold_frees_capacity) take_capacity(s, *c, *x);
        c->last_expert = to;
        s.emit(effect::assigned{c->id, to});
    } else {
        take_capacity(s, *c, *x);
        assign(s, *c, *x);
    }
    route(s);
    return out;
}

outcome core::join(const conversation_id& id, const std::string& lead, instant now) {
    outcome out;
    step s{now, out};
    auto* c = lookup(id, out);
    if (!c) return out;
    if (!engaged(*c) || c->expert == lead) {
        s.refuse(errc::illegal_transition);
        return out;
    }
    if (!c->joined.insert(lead).second) return out; // already in it
    s.touch(*c);
    s.emit(effect::joined{c->id, lead});
    return out;
}

outcome core::restrict_until(const std::string& tenant, const std::string& user,
                             std::optional<instant> until, instant now) {
    outcome out;
    step s{now, out};
    auto key = customer_key({tenant, user, {}, {}});
    auto it = restrictions_.find(key);
    if (it == restrictions_.end() || it->second <= now) {
        s.refuse(errc::not_restricted);
        return out;
    }
    if (until && *until <= now) {
        s.refuse(errc::invalid_argument);
        return out;
    }
    // Lifting stores the restriction as ended now, which every reader treats as none.
    auto ends = until.value_or(now);
    if (until) it->second = ends;
    else restrictions_.erase(it);
    s.emit(effect::restricted{tenant, user, ends});
    return out;
}

} // namespace chat::queue
