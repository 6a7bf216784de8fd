#pragma once
// The waiting conversations in routing order: tier (with optional aging), severity,
// then the time each first entered the queue.

#include "chat/queue/types.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_map>

namespace chat::queue {

class waiting_line {
public:
    struct entry {
        queue::tier tier;
        queue::severity severity;
        instant first_queued;
        std::uint64_t sequence;
        conversation_id id;
    };
    // Per tier, the wait after which it ranks with the tier above (aging).
    using aging = std::array<std::optional<duration>, tier_count>;

    void push(entry e);
    bool erase(const conversation_id& id);
    bool contains(const conversation_id& id) const { return index_.count(id) != 0; }
    std::size_t size() const { return index_.size(); }
    bool empty() const { return index_.empty(); }

    // Calls `visit(id, tier)` in routing order at `now` until it returns false. The visitor
    // may erase the entry it is visiting, and no other.
    template <class Visit> void for_each(instant now, const aging& age, Visit&& visit) const;

private:
    using key = std::tuple<instant, std::uint64_t, conversation_id>;
    static constexpr int bucket_count = tier_count * max_severity;
    static int bucket_of(queue::tier t, queue::severity s) {
        return static_cast<int>(t) * max_severity + (s - min_severity);
    }

    std::array<std::set<key>, bucket_count> buckets_;
    std::unordered_map<conversation_id, std::pair<int, key>> index_;
};

template <class Visit>
void waiting_line::for_each(instant now, const aging& age, Visit&& visit) const {
    std::array<std::set<key>::const_iterator, bucket_count> head;
    for (int b = 0; b < bucket_count; ++b) head[b] = buckets_[b].begin();

    // Rank of a bucket's head: (effective tier, severity, first queued, sequence).
    auto rank = [&](int b) {
        auto t = b / max_severity;
        const auto& [first, seq, id] = *head[b];
        if (t > 0 && age[t] && now - first >= *age[t]) --t;
        return std::tuple(t, b % max_severity, first, seq);
    };
    for (;;) {
        int best = -1;
        std::tuple<int, int, instant, std::uint64_t> best_rank;
        for (int b = 0; b < bucket_count; ++b) {
            if (head[b] == buckets_[b].end()) continue;
            auto r = rank(b);
            if (best < 0 || r < best_rank) best = b, best_rank = r;
        }
        if (best < 0) return;
        const auto& id = std::get<2>(*head[best]);
        ++head[best];
        if (!visit(id, static_cast<queue::tier>(best / max_severity))) return;
    }
}

} // namespace chat::queue
