#include "chat/server/webhooks/endpoint.hpp"

#include "chat/server/app/webhook_events.hpp"

#include <algorithm>
#include <cctype>

namespace chat::server::webhooks {

std::set<std::string> config::wanted_events() const {
    std::set<std::string> out;
    for (const auto& e : endpoints) {
        if (e.events.empty())
            for (auto t : webhook_events::types) out.insert(std::string(t));
        else out.insert(e.events.begin(), e.events.end());
    }
    return out;
}

std::optional<url_parts> parse_url(std::string_view url) {
    url_parts u;
    if (url.rfind("http://", 0) == 0) url.remove_prefix(7);
    else if (url.rfind("https://", 0) == 0) {
        u.tls = true;
        url.remove_prefix(8);
    } else return std::nullopt;
    auto slash = url.find('/');
    auto authority = url.substr(0, slash);
    u.target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
    if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
    if (authority.front() == '[') { // [v6]:port
        auto close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        u.host = std::string(authority.substr(1, close - 1));
        authority.remove_prefix(close + 1);
        if (!authority.empty() && authority.front() != ':') return std::nullopt;
        u.port = authority.empty() ? "" : std::string(authority.substr(1));
    } else {
        auto colon = authority.rfind(':');
        u.host = std::string(authority.substr(0, colon));
        u.port = colon == std::string_view::npos ? "" : std::string(authority.substr(colon + 1));
    }
    if (u.port.empty()) u.port = u.tls ? "443" : "80";
    if (u.host.empty() || !std::all_of(u.port.begin(), u.port.end(), [](unsigned char c) { return std::isdigit(c); }) ||
        u.port.size() > 5 || std::stoi(u.port) < 1 || std::stoi(u.port) > 65535)
        return std::nullopt;
    if (std::any_of(u.target.begin(), u.target.end(), [](unsigned char c) { return c <= ' ' || c == 0x7f; })) return std::nullopt;
    return u;
}

} // namespace chat::server::webhooks
