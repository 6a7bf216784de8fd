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

} // namespace chat::server
