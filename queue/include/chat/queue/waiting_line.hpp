#pragma once
// The waiting conversations in routing order: tier (with optional aging), rank within the
// tier (severity, or priority then severity), then the time each first entered the queue.

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
        int rank; // within the tier, 0 first, below rank_count
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
public:
    static constexpr int rank_count = priority_count * max_severity;

private:
    static constexpr int bucket_count = tier_count * rank_count;
    static int bucket_of(queue::tier t, int rank) { return static_cast<int>(t) * rank_count + rank; }

    std::array<std::set<key>, bucket_count> buckets_;
    std::unordered_map<conversation_id, std::pair<int, key>> index_;
};

template <class Visit>
void waiting_line::for_each(instant now, const aging& age, Visit&& visit) const {
    std::array<std::set<key>::const_iterator, bucket_count> head;
    for (int b = 0; b < bucket_count; ++b) head[b] = buckets_[b].begin();

    // Rank of a bucket's head: (effective tier, rank within the tier, first queued, sequence).
    auto rank = [&](int b) {
        auto t = b / rank_count;
        const auto& [first, seq, id] = *head[b];
        if (t > 0 && age[t] && now - first >= *age[t]) --t;
        return std::tuple(t, b % rank_count, first, seq);
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
        if (!visit(id, static_cast<queue::tier>(best / rank_count))) return;
    }
}

} // namespace chat::queue
