#pragma once
// The core's pending timers: at most one per (kind, subject), ordered by due time.

#include "chat/queue/effects.hpp"

#include <map>
#include <optional>
#include <set>
#include <vector>

namespace chat::queue {

class timer_set {
public:
    // Sets or moves the timer; returns the timer it replaced, if any.
    std::optional<timer> arm(const timer& t);
    std::optional<timer> cancel(timer_kind kind, const std::string& subject);
    std::optional<instant> due(timer_kind kind, const std::string& subject) const;
    std::optional<instant> next_due() const;
    // Removes and returns the earliest timer due at or before `now`.
    std::optional<timer> pop_due(instant now);
    std::size_t size() const { return by_due_.size(); }
    std::vector<timer> all() const;

private:
    using key = std::pair<timer_kind, std::string>;
    std::set<std::tuple<instant, timer_kind, std::string>> by_due_;
    std::map<key, instant> by_subject_;
};

} // namespace chat::queue
