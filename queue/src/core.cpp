#include "chat/queue/core.hpp"

#include "core_step.hpp"

#include <algorithm>

namespace chat::queue {

core::core(queue::policy p)
    : policy_(std::move(p)), conduct_(policy_.conduct_words),
      average_handle_(policy_.initial_handle_time) {}

conversation* core::lookup(const conversation_id& c, outcome& out) {
    auto it = conversations_.find(c);
    if (it != conversations_.end()) return out.touch(it->second), &it->second;
    out.error = make_error_code(errc::unknown_conversation);
    return nullptr;
}

expert* core::lookup_expert(const expert_id& e, outcome& out) {
    auto it = experts_.find(e);
    if (it != experts_.end()) return out.touch(it->second), &it->second;
    out.error = make_error_code(errc::unknown_expert);
    return nullptr;
}

bool core::owned_by_customer(const conversation& c, const customer& who, outcome& out) const {
    if (c.customer.tenant == who.tenant && c.customer.user == who.user) return true;
    out.error = make_error_code(errc::not_allowed);
    return false;
}

bool core::held_by_expert(const conversation& c, const expert_id& e, outcome& out) const {
    if (c.expert && *c.expert == e) return true;
    out.error = make_error_code(errc::not_allowed);
    return false;
}

outcome core::register_expert(const expert_profile& profile, instant now) {
    outcome out;
    step s{now, out};
    if (profile.id.empty() || (profile.capacity && (*profile.capacity < 0 || *profile.capacity > 100))) {
        s.refuse(errc::invalid_argument);
        return out;
    }
    auto [it, inserted] = experts_.try_emplace(profile.id);
    expert& x = it->second;
    if (inserted) {
        x.id = profile.id;
        x.tenant = profile.tenant;
        x.capacity = profile.capacity.value_or(policy_.default_capacity);
        x.last_routed_at = now;
    } else if (x.tenant != profile.tenant) {
        s.refuse(errc::not_allowed);
        return out;
    } else if (profile.capacity) {
        x.capacity = *profile.capacity;
    }
    s.touch(x);
    x.name = profile.name;
    x.granted_skills = profile.skills;
    // A narrowing survives reconnecting, less what the token no longer grants.
    if (x.narrowed) {
        std::set<std::string> kept;
        for (const auto& k : x.skills)
            if (profile.skills.count(k)) kept.insert(k);
        x.skills = std::move(kept);
    } else {
        x.skills = profile.skills;
    }
    if (profile.auto_accept) x.auto_accept = *profile.auto_accept;
    route(s);
    return out;
}

outcome core::narrow_skills(const expert_id& e, std::set<std::string> skills, instant now) {
    outcome out;
    step s{now, out};
    auto* x = lookup_expert(e, out);
    if (!x) return out;
    for (const auto& k : skills)
        if (!x->granted_skills.count(k)) {
            s.refuse(errc::invalid_argument); // only what the token grants
            return out;
        }
    s.touch(*x);
    x->narrowed = skills != x->granted_skills;
    x->skills = std::move(skills);
    route(s);
    return out;
}

outcome core::set_presence(const expert_id& e, presence p, instant now) {
    outcome out;
    step s{now, out};
    auto* x = lookup_expert(e, out);
    if (!x || x->presence == p) return out;
    x->presence = p;
    s.emit(effect::presence_changed{x->id, p});
    if (p == presence::available) x->last_routed_at = std::max(x->last_routed_at, now);
    if (p == presence::offline) {
        disarm(s, timer_kind::disconnect_grace, x->id);
        hand_off_all(s, *x, "the expert went offline");
    }
    route(s);
    return out;
}

outcome core::set_capacity(const expert_id& e, int capacity, instant now) {
    outcome out;
    step s{now, out};
    auto* x = lookup_expert(e, out);
    if (!x) return out;
    if (capacity < 0 || capacity > 100) {
        s.refuse(errc::invalid_argument);
        return out;
    }
    x->capacity = capacity;
    route(s);
    return out;
}

outcome core::set_auto_accept(const expert_id& e, bool on, instant now) {
    outcome out;
    step s{now, out};
    auto* x = lookup_expert(e, out);
    if (!x) return out;
    s.touch(*x);
    x->auto_accept = on;
    if (on) {
        // Pending offers are accepted at once, as later ones will be.
        std::vector<conversation_id> pending(x->conversations.begin(), x->conversations.end());
        for (const auto& id : pending) {
            auto& c = conversations_.at(id);
            if (c.state == conversation_state::offered) assign(s, c, *x);
        }
    }
    route(s);
    return out;
}

outcome core::expert_disconnected(const expert_id& e, instant now) {
    outcome out;
    step s{now, out};
    auto* x = lookup_expert(e, out);
    if (!x || !x->connected) return out;
    x->connected = false;
    if (x->presence != presence::offline)
        arm(s, timer_kind::disconnect_grace, x->id, now + policy_.disconnect_grace);
    return out;
}

outcome core::expert_connected(const expert_id& e, instant now) {
    outcome out;
    step s{now, out};
    auto* x = lookup_expert(e, out);
    if (!x) return out;
    x->connected = true;
    disarm(s, timer_kind::disconnect_grace, x->id);
    route(s);
    return out;
}

outcome core::advance(instant now) {
    outcome out;
    step s{now, out};
    bool fired = false;
    while (auto t = timers_.pop_due(now)) {
        s.emit(effect::timer_cleared{*t});
        fire(s, *t);
        fired = true;
    }
    route(s, fired);
    return out;
}

std::optional<instant> core::next_deadline() const {
    auto due = timers_.next_due();
    if (!position_pass_held_) return due;
    auto pass = *last_position_pass_ + policy_.position_interval;
    return due && *due < pass ? due : pass;
}

const conversation* core::find(const conversation_id& c) const {
    auto it = conversations_.find(c);
    return it == conversations_.end() ? nullptr : &it->second;
}

const expert* core::find_expert(const expert_id& e) const {
    auto it = experts_.find(e);
    return it == experts_.end() ? nullptr : &it->second;
}

std::vector<conversation_id> core::queue_order(instant now) const {
    std::vector<conversation_id> order;
    order.reserve(waiting_.size());
    waiting_line::aging age{policy_.tiers[0].max_wait, policy_.tiers[1].max_wait};
    waiting_.for_each(now, age, [&](const conversation_id& id, tier) {
        order.push_back(id);
        return true;
    });
    return order;
}

std::optional<instant> core::restricted_until(const std::string& tenant,
                                              const std::string& user) const {
    auto it = restrictions_.find(customer_key({tenant, user, {}, {}}));
    if (it == restrictions_.end()) return std::nullopt;
    return it->second;
}

std::optional<outcome> core::numbered_before(const conversation& c, const std::string& client_id) const {
    if (client_id.empty()) return std::nullopt;
    if (const auto* r = c.messages.find(client_id)) {
        outcome out;
        out.conversation = c.id;
        out.effects.emplace_back(effect::message_repeated{c.id, r->seq, r->at});
        return out;
    }
    if (c.messages.complete()) return std::nullopt;
    outcome out;
    out.error = make_error_code(errc::recent_ids_unknown);
    out.conversation = c.id;
    return out;
}

void core::number(outcome& out, conversation& c, const std::string& client_id, instant now) {
    auto seq = c.messages.add(client_id, now);
    out.effects.emplace_back(effect::message_added{c.id, seq, now});
}

std::vector<conversation_id> core::unlearnt_recent_ids(const customer& who) const {
    std::vector<conversation_id> ids;
    auto it = open_by_customer_.find(customer_key(who));
    if (it == open_by_customer_.end()) return ids;
    for (const auto& id : it->second)
        if (!conversations_.at(id).messages.complete()) ids.push_back(id);
    return ids;
}

void core::learn_recent(const conversation_id& c, const std::vector<message_numbering::recent_id>& tail) {
    if (auto it = conversations_.find(c); it != conversations_.end()) it->second.messages.learn(tail);
}

void core::forget(const conversation_id& c) {
    auto it = conversations_.find(c);
    if (it == conversations_.end() || it->second.state != conversation_state::closed) return;
    reported_.erase(c);
    conversations_.erase(it);
}

std::vector<restriction> core::restrictions() const {
    std::vector<restriction> all;
    for (const auto& [key, until] : restrictions_) {
        auto cut = key.find('\x1f');
        all.push_back({key.substr(0, cut), key.substr(cut + 1), until});
    }
    return all;
}

void core::restore(core_state state) {
    conversations_.clear();
    experts_.clear();
    waiting_ = {};
    timers_ = {};
    open_by_customer_.clear();
    restrictions_.clear();
    reported_.clear();
    last_position_pass_.reset();
    position_pass_held_ = false;
    sequence_ = 0;
    average_handle_ = state.average_handle > duration::zero() ? state.average_handle
                                                              : policy_.initial_handle_time;
    for (auto& x : state.experts) experts_.emplace(x.id, std::move(x));
    for (auto& c : state.conversations) {
        sequence_ = std::max(sequence_, c.sequence);
        if (c.state == conversation_state::queued)
            waiting_.push(line_entry(c));
        if (c.state != conversation_state::closed && !c.duplicate_of)
            open_by_customer_[customer_key(c.customer)].insert(c.id);
        auto id = c.id;
        conversations_.emplace(std::move(id), std::move(c));
    }
    for (const auto& t : state.timers) timers_.arm(t);
    for (const auto& m : state.later_messages) follow_stored_message(m);
    for (const auto& r : state.restrictions)
        restrictions_[customer_key({r.tenant, r.user, {}, {}})] = r.until;
}

void core::follow_stored_message(const message_after_record& m) {
    // What expert_message_event and customer_message_event do to the timers messages move
    // (moved_by_messages); any other change to it also rewrote the record, timers with it.
    auto it = conversations_.find(m.conversation);
    if (it == conversations_.end()) return;
    auto& c = it->second;
    outcome unreported;
    step s{m.at, unreported};
    if (m.from == party::expert) {
        answered(s, c);
    } else {
        // Only the last message is known: a customer's earlier unanswered ones since the record
        // was stored are counted from this one.
        await_reply(s, c);
    }
    if (c.state != conversation_state::active) return;
    timers_.cancel(timer_kind::inactivity, m.conversation);
    if (m.from == party::expert) timers_.arm({timer_kind::inactivity, m.conversation, m.at + policy_.inactivity_active});
}

} // namespace chat::queue
