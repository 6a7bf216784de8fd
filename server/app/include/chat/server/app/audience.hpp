#pragma once
// Who is connected to a hub, by the names the core uses: customers by "tenant/user", experts
// by id, monitors by tenant, and team leads watching a conversation by its id. The hub addresses frames to these names; the audience finds the
// sessions behind them.

#include "chat/server/app/participant.hpp"

#include <array>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>

namespace chat::server {

class audience {
public:
    using session_ptr = std::shared_ptr<participant>;
    enum class group : std::uint8_t { customers, experts, monitors, watchers };

    void add(group g, const std::string& key, const session_ptr& p) { groups_[index(g)][key].insert(p); }
    // Removes `p`; true when it was the last session under `key`.
    bool remove(group g, const std::string& key, const session_ptr& p);
    // Removes `p` under every key of the group.
    void remove_everywhere(group g, const session_ptr& p);
    // How many keys of the group `p` is under.
    std::size_t count(group g, const session_ptr& p) const;
    bool any(group g, const std::string& key) const { return groups_[index(g)].count(key) > 0; }
    bool any(group g) const { return !groups_[index(g)].empty(); }
    template <class F> void each(group g, const std::string& key, F&& f) const {
        const auto& reg = groups_[index(g)];
        if (auto it = reg.find(key); it != reg.end())
            for (const auto& p : it->second) f(p);
    }
    void clear() {
        for (auto& g : groups_) g.clear();
    }

private:
    static std::size_t index(group g) { return static_cast<std::size_t>(g); }
    std::array<std::unordered_map<std::string, std::set<session_ptr>>, 4> groups_;
};

} // namespace chat::server
