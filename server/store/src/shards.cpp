#include "chat/server/store/shards.hpp"

#include "chat/server/redis/slot.hpp"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

namespace chat::server {
namespace {

// FNV-1a: stable across builds and platforms, unlike std::hash.
std::uint64_t fnv1a(std::string_view s) {
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

// The first "s<i>.<n>" whose slot lies near the middle of shard i's range of the 16384 slots:
// wherever masters split the slots, each then holds its share of shards, give or take one.
std::string placed_tag(std::size_t i, std::size_t count) {
    long first = static_cast<long>(i * redis::slot_count / count), last = static_cast<long>((i + 1) * redis::slot_count / count);
    long middle = (first + last) / 2, near = std::max(0L, (last - first) / 8);
    for (std::size_t n = 0;; ++n) {
        auto tag = "s" + std::to_string(i) + '.' + std::to_string(n);
        long slot = redis::key_slot(tag);
        if (slot >= first && slot < last && std::abs(slot - middle) <= near) return tag;
    }
}

} // namespace

shard_map::shard_map(std::size_t count) {
    if (count == 0 || count > redis::slot_count) throw std::invalid_argument("shards must be 1..16384");
    tags_.reserve(count);
    for (std::size_t i = 0; i < count; ++i) tags_.push_back(placed_tag(i, count));
}

shard_id shard_map::shard_of(std::string_view tenant) const {
    return static_cast<shard_id>(fnv1a(tenant) % tags_.size());
}

shard_keys::shard_keys(const std::string& tag)
    : prefix_("chat:{" + tag + "}:"), live_(prefix_ + "live"), experts_(prefix_ + "experts"), timers_(prefix_ + "timers"),
      restrictions_(prefix_ + "restrictions"), meta_(prefix_ + "meta"), tickets_(prefix_ + "tickets"),
      lease_(prefix_ + "lease"), epoch_(prefix_ + "epoch"),
      scanning_(prefix_ + "scanning") {}

} // namespace chat::server
