#include "chat/queue/timer_set.hpp"

namespace chat::queue {

std::optional<timer> timer_set::arm(const timer& t) {
    auto replaced = cancel(t.kind, t.subject);
    by_due_.emplace(t.due, t.kind, t.subject);
    by_subject_[{t.kind, t.subject}] = t.due;
    return replaced;
}

std::optional<timer> timer_set::cancel(timer_kind kind, const std::string& subject) {
    auto it = by_subject_.find({kind, subject});
    if (it == by_subject_.end()) return std::nullopt;
    timer old{kind, subject, it->second};
    by_due_.erase({it->second, kind, subject});
    by_subject_.erase(it);
    return old;
}

std::optional<instant> timer_set::due(timer_kind kind, const std::string& subject) const {
    auto it = by_subject_.find({kind, subject});
    if (it == by_subject_.end()) return std::nullopt;
    return it->second;
}

std::optional<instant> timer_set::next_due() const {
    if (by_due_.empty()) return std::nullopt;
    return std::get<0>(*by_due_.begin());
}

std::optional<timer> timer_set::pop_due(instant now) {
    if (by_due_.empty() || std::get<0>(*by_due_.begin()) > now) return std::nullopt;
    auto [due, kind, subject] = *by_due_.begin();
    cancel(kind, subject);
    return timer{kind, std::move(subject), due};
}

std::vector<timer> timer_set::all() const {
    std::vector<timer> out;
    out.reserve(by_due_.size());
    for (const auto& [due, kind, subject] : by_due_) out.push_back({kind, subject, due});
    return out;
}

} // namespace chat::queue
