#include "chat/server/cluster/membership.hpp"

#include <algorithm>
#include <cstdint>

namespace chat::server::cluster {

bool membership::heard(const std::string& node, const std::string& incarnation, clock::time_point now) {
    auto [it, added] = nodes_.try_emplace(node, seen{incarnation, now, now});
    if (added) return true;
    bool back = it->second.incarnation != incarnation || now - it->second.last > silence_;
    if (back) it->second = {incarnation, now, now};
    it->second.last = now;
    return back;
}

std::vector<std::string> membership::alive(clock::time_point now) const {
    std::vector<std::string> out;
    for (const auto& [id, s] : nodes_)
        if (now - s.last <= silence_) out.push_back(id);
    return out;
}

bool membership::is_alive(const std::string& node, clock::time_point now) const {
    auto it = nodes_.find(node);
    return it != nodes_.end() && now - it->second.last <= silence_;
}

std::string membership::incarnation_of(const std::string& node) const {
    auto it = nodes_.find(node);
    return it == nodes_.end() ? std::string() : it->second.incarnation;
}

membership::clock::time_point membership::alive_since(const std::string& node) const {
    auto it = nodes_.find(node);
    return it == nodes_.end() ? clock::time_point::max() : it->second.since;
}

std::vector<std::string> membership::drop_silent(clock::time_point now) {
    std::vector<std::string> gone;
    for (auto it = nodes_.begin(); it != nodes_.end();) {
        if (now - it->second.last > silence_) {
            gone.push_back(it->first);
            it = nodes_.erase(it);
        } else {
            ++it;
        }
    }
    return gone;
}

namespace {
std::uint64_t mix(const std::string& node, std::uint32_t shard) {
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char c : node) h = (h ^ c) * 1099511628211ull;
    h = (h ^ shard) * 1099511628211ull;
    // A final avalanche so that nearby shards rank nodes independently.
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}
} // namespace

std::vector<std::string> ranking(const std::vector<std::string>& nodes, std::uint32_t shard) {
    auto ranked = nodes;
    std::sort(ranked.begin(), ranked.end(), [&](const std::string& a, const std::string& b) {
        auto ha = mix(a, shard), hb = mix(b, shard);
        return ha != hb ? ha > hb : a < b;
    });
    return ranked;
}

} // namespace chat::server::cluster
