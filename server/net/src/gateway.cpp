#include "chat/server/net/gateway.hpp"

#include "chat/server/net/websocket_session.hpp"

#include <algorithm>

namespace chat::server {

void gateway::add(const std::shared_ptr<websocket_session>& s) {
    std::lock_guard lock(mutex_);
    sessions_.emplace(s.get(), s);
}

void gateway::remove(const websocket_session* s) {
    std::vector<std::function<void()>> ready;
    {
        std::lock_guard lock(mutex_);
        sessions_.erase(s);
        if (sessions_.empty()) ready.swap(when_empty_);
    }
    for (auto& f : ready) f();
}

void gateway::when_empty(std::function<void()> f) {
    {
        std::lock_guard lock(mutex_);
        if (!sessions_.empty()) return when_empty_.push_back(std::move(f));
    }
    f();
}

void gateway::drain_sessions() {
    draining = true;
    std::vector<std::shared_ptr<websocket_session>> all;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [ptr, s] : sessions_) all.push_back(s);
    }
    for (const auto& s : all) s->drain();
}

void gateway::clear() {
    std::unordered_map<const websocket_session*, std::shared_ptr<websocket_session>> all;
    {
        std::lock_guard lock(mutex_);
        all.swap(sessions_);
    }
}

std::size_t gateway::session_count() {
    std::lock_guard lock(mutex_);
    return sessions_.size();
}

bool origin_allowed(const config& c, std::string_view role, std::string_view origin, std::string_view host) {
    if (origin.empty()) return true;
    // chatd's own pages (the console, the monitor, the widget's demo) are always allowed.
    auto scheme = origin.find("://");
    if (scheme != std::string_view::npos && !host.empty() && origin.substr(scheme + 3) == host) return true;
    auto it = c.allowed_origins.find(std::string(role));
    if (it == c.allowed_origins.end()) return false;
    if (std::find(it->second.begin(), it->second.end(), "*") != it->second.end()) return true;
    return std::find(it->second.begin(), it->second.end(), origin) != it->second.end();
}

} // namespace chat::server
