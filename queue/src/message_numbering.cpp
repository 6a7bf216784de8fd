#include "chat/queue/message_numbering.hpp"

#include <functional>

namespace chat::queue {

const message_numbering::recent_id* message_numbering::find(const std::string& client_id) const {
    if (client_id.empty()) return nullptr;
    auto hash = std::hash<std::string>{}(client_id);
    for (const auto& r : recent_)
        if (r.hash == hash && r.client_id == client_id) return &r;
    return nullptr;
}

void message_numbering::remember(recent_id r) {
    if (r.client_id.empty()) return;
    r.hash = std::hash<std::string>{}(r.client_id);
    recent_.push_back(std::move(r));
    while (recent_.size() > recent_limit) recent_.pop_front();
}

std::uint64_t message_numbering::add(const std::string& client_id, instant at) {
    remember({client_id, ++last_seq_, at, 0});
    return last_seq_;
}

void message_numbering::learn(const std::vector<recent_id>& tail) {
    // The tail is older than, or the same as, what was numbered since the restore.
    std::deque<recent_id> merged;
    for (const auto& m : tail) {
        if (m.client_id.empty() || find(m.client_id)) continue;
        auto r = m;
        r.hash = std::hash<std::string>{}(r.client_id);
        merged.push_front(std::move(r));
        if (m.seq > last_seq_) last_seq_ = m.seq;
    }
    for (auto& r : recent_) merged.push_back(std::move(r));
    while (merged.size() > recent_limit) merged.pop_front();
    recent_ = std::move(merged);
    complete_ = true;
}

message_numbering message_numbering::restored(std::uint64_t last_seq, std::vector<recent_id> recent, bool complete) {
    message_numbering n;
    n.last_seq_ = last_seq;
    for (auto& r : recent) n.remember(std::move(r));
    n.complete_ = complete;
    return n;
}

void message_numbering::caught_up(const recent_id& last) {
    if (last.seq <= last_seq_) return;
    last_seq_ = last.seq;
    remember(last);
}

} // namespace chat::queue
