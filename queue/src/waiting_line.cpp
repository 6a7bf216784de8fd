#include "chat/queue/waiting_line.hpp"

namespace chat::queue {

void waiting_line::push(entry e) {
    erase(e.id);
    auto b = bucket_of(e.tier, e.rank);
    key k{e.first_queued, e.sequence, e.id};
    buckets_[b].insert(k);
    index_.emplace(std::move(e.id), std::pair{b, std::move(k)});
}

bool waiting_line::erase(const conversation_id& id) {
    auto it = index_.find(id);
    if (it == index_.end()) return false;
    buckets_[it->second.first].erase(it->second.second);
    index_.erase(it);
    return true;
}

} // namespace chat::queue
