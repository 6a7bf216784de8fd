#include "chat/server/app/audience.hpp"

namespace chat::server {

bool audience::remove(group g, const std::string& key, const session_ptr& p) {
    auto& reg = groups_[index(g)];
    auto it = reg.find(key);
    if (it == reg.end()) return false;
    it->second.erase(p);
    if (!it->second.empty()) return false;
    reg.erase(it);
    return true;
}

void audience::remove_everywhere(group g, const session_ptr& p) {
    auto& reg = groups_[index(g)];
    for (auto it = reg.begin(); it != reg.end();) {
        it->second.erase(p);
        it = it->second.empty() ? reg.erase(it) : std::next(it);
    }
}

std::size_t audience::count(group g, const session_ptr& p) const {
    std::size_t n = 0;
    for (const auto& [key, sessions] : groups_[index(g)]) n += sessions.count(p);
    return n;
}

} // namespace chat::server
