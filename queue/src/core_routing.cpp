// Routing: which waiting conversation goes to which expert, and where everyone stands.

#include "chat/queue/core.hpp"

#include "core_step.hpp"

#include <algorithm>

namespace chat::queue {

bool core::is_open_for(const conversation& c, instant now) const {
    const auto& tp = policy_.of(c.customer.tier);
    return tp.hours.always || policy_.hours_calendar(c.customer.tier, c.customer.region).is_open(now, tp.hours);
}

bool core::eligible(const expert& x, const conversation& c) const {
    return x.presence == presence::available && x.connected && x.load < x.capacity &&
           x.tenant == c.customer.tenant && c.excluded.count(x.id) == 0 &&
           std::includes(x.skills.begin(), x.skills.end(), c.required_skills.begin(),
                         c.required_skills.end());
}

expert* core::choose_expert(conversation& c) {
    if (c.reserved) {
        auto it = experts_.find(c.reserved->expert);
        if (it == experts_.end()) return nullptr;
        auto& x = it->second;
        // A held conversation returns to its expert even when they are away.
        bool can_take_back = x.connected && x.presence != presence::offline &&
                             x.load < x.capacity;
        return (c.reserved->direct ? can_take_back : eligible(x, c)) ? &x : nullptr;
    }
    if (c.last_expert) {
        auto it = experts_.find(*c.last_expert);
        if (it != experts_.end() && eligible(it->second, c)) return &it->second;
    }
    expert* best = nullptr;
    for (auto& [id, x] : experts_) {
        if (!eligible(x, c)) continue;
        if (!best || std::tie(x.load, x.last_routed_at) < std::tie(best->load, best->last_routed_at))
            best = &x;
    }
    return best;
}

void core::route(step& s, bool line_may_have_moved) {
    if (!waiting_.empty()) {
        // Free slots of experts who could take anything; the pass stops when none are left.
        int free = 0;
        for (const auto& [id, x] : experts_)
            if (x.connected && x.presence != presence::offline) free += std::max(0, x.capacity - x.load);
        if (free > 0) {
            waiting_line::aging age{policy_.tiers[0].max_wait, policy_.tiers[1].max_wait};
            waiting_.for_each(s.now, age, [&](const conversation_id& id, tier) {
                auto& c = conversations_.at(id);
                if (!is_open_for(c, s.now)) return true;
                auto* x = choose_expert(c);
                if (!x) return true;
                offer(s, c, *x);
                line_may_have_moved = true;
                return --free > 0;
            });
        }
    }
    if (line_may_have_moved || position_pass_held_) positions_may_have_moved(s);
}

void core::positions_may_have_moved(step& s) {
    if (!policy_.track_positions) return;
    position_pass_held_ = last_position_pass_ && s.now - *last_position_pass_ < policy_.position_interval;
    if (!position_pass_held_) report_positions(s);
}

void core::predict_breach(step& s, conversation& c, std::optional<duration> wait) {
    // The first-response deadline while its clock runs (none when paused, met or breached).
    auto due = timers_.due(timer_kind::sla_deadline, c.id);
    if (c.sla.predicted || !due || (wait && s.now + *wait <= *due)) return;
    s.touch(c).sla.predicted = true;
    s.emit(effect::sla_predicted{c.id, *due, wait});
}

std::optional<int> core::reported_position(const conversation_id& c) const {
    auto it = reported_.find(c);
    return it == reported_.end() ? std::nullopt : std::optional(it->second.first);
}

std::optional<instant> core::opens_at(const conversation& c, instant now) const {
    if (is_open_for(c, now)) return std::nullopt;
    return policy_.hours_calendar(c.customer.tier, c.customer.region).next_open(now, policy_.of(c.customer.tier).hours);
}

std::optional<duration> core::estimated_wait(const conversation_id& c) const {
    auto it = reported_.find(c);
    return it == reported_.end() ? std::nullopt : it->second.second;
}

void core::report_positions(step& s) {
    if (waiting_.empty()) return;
    last_position_pass_ = s.now;
    struct staffing {
        int slots = 0, free = 0, position = 0;
    };
    std::unordered_map<std::string, staffing> by_tenant;
    for (const auto& [id, x] : experts_) {
        if (x.presence != presence::available || !x.connected) continue;
        auto& st = by_tenant[x.tenant];
        st.slots += x.capacity;
        st.free += std::max(0, x.capacity - x.load);
    }
    waiting_line::aging age{policy_.tiers[0].max_wait, policy_.tiers[1].max_wait};
    waiting_.for_each(s.now, age, [&](const conversation_id& id, tier) {
        auto& c = conversations_.at(id);
        auto& st = by_tenant[c.customer.tenant];
        int position = ++st.position;
        std::optional<duration> wait;
        if (st.slots > 0) {
            // Conversations ahead drain at `slots` per average handle time.
            wait = average_handle_ * std::max(0, position - st.free) / st.slots;
            if (!is_open_for(c, s.now)) {
                const auto& tp = policy_.of(c.customer.tier);
                *wait += policy_.hours_calendar(c.customer.tier, c.customer.region).next_open(s.now, tp.hours) - s.now;
            }
            *wait = std::chrono::round<std::chrono::seconds>(*wait);
        }
        auto& last = reported_[id];
        if (last.first != position || last.second != wait) {
            last = {position, wait};
            s.emit(effect::queued{id, position, wait});
        }
        predict_breach(s, c, wait);
        return true;
    });
}

} // namespace chat::queue
