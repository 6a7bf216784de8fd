#pragma once
// Which nodes are alive, as one node hears them: every node says so on the cluster channel
// twice a second; one not heard for `silence` is gone. A node that says it is leaving is gone
// at once. Pure: time comes in as an argument.

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace chat::server::cluster {

class membership {
public:
    using clock = std::chrono::steady_clock;
    explicit membership(std::chrono::milliseconds silence = std::chrono::milliseconds(3000)) : silence_(silence) {}

    // Heard from `node` (of this incarnation) at `now`. Returns true when it is new or came back.
    bool heard(const std::string& node, const std::string& incarnation, clock::time_point now);
    void leaving(const std::string& node) { nodes_.erase(node); }
    // Nodes heard within the silence, sorted by id.
    std::vector<std::string> alive(clock::time_point now) const;
    bool is_alive(const std::string& node, clock::time_point now) const;
    std::string incarnation_of(const std::string& node) const;
    // Since when `node` has been alive without a gap (for a stable placement).
    clock::time_point alive_since(const std::string& node) const;
    // Forgets nodes silent for longer than the silence; returns them.
    std::vector<std::string> drop_silent(clock::time_point now);

private:
    struct seen {
        std::string incarnation;
        clock::time_point last, since;
    };
    std::chrono::milliseconds silence_;
    std::map<std::string, seen> nodes_;
};

// Rendezvous hashing: each node's rank for a shard (0: the preferred owner), from a stable
// hash of (node, shard). Every node computes the same ranking from the same live set.
std::vector<std::string> ranking(const std::vector<std::string>& nodes, std::uint32_t shard);

} // namespace chat::server::cluster
