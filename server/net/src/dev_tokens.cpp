#include "chat/server/net/dev_tokens.hpp"

#include "chat/protocol/iso8601.hpp"
#include "chat/server/auth/token.hpp"

namespace chat::server {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out += ' ';
        } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

dev_token_answer refuse(std::string message) {
    return {400, {{"code", "bad_field"}, {"message", std::move(message)}}};
}

} // namespace

std::map<std::string, std::string> parse_query(std::string_view query) {
    std::map<std::string, std::string> out;
    while (!query.empty()) {
        auto amp = query.find('&');
        auto pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (pair.empty()) continue;
        auto eq = pair.find('=');
        out[decode(pair.substr(0, eq))] = eq == std::string_view::npos ? std::string() : decode(pair.substr(eq + 1));
    }
    return out;
}

dev_token_answer mint_dev_token(const std::map<std::string, std::string>& query, std::string_view secret,
                                queue::instant now) {
    auto get = [&](const char* name) {
        auto it = query.find(name);
        return it == query.end() ? std::string() : it->second;
    };
    identity who;
    auto role = protocol::parse_role(get("role"));
    if (!role) return refuse("role must be customer, expert or monitor");
    who.role = *role;
    who.subject = get("sub");
    who.tenant = get("tenant");
    if (!protocol::valid_id(who.subject)) return refuse("sub must be 1-64 characters of A-Z a-z 0-9 . _ : @ -");
    if (!protocol::valid_id(who.tenant)) return refuse("tenant must be 1-64 characters of A-Z a-z 0-9 . _ : @ -");
    if (auto tier = get("tier"); !tier.empty()) {
        auto t = queue::parse_tier(tier);
        if (!t) return refuse("tier must be enterprise or standard");
        who.tier = *t;
    }
    who.region = get("region");
    if (!who.region.empty() && !protocol::valid_id(who.region)) return refuse("region is not a valid region id");
    who.name = get("name");
    if (who.name.size() > 128) return refuse("name is longer than 128 bytes");
    if (who.name.empty()) who.name = who.subject;
    who.expires_at = now + std::chrono::hours(12);
    return {200, {{"token", mint_token(who, secret)}, {"expires_at", protocol::format_instant(who.expires_at)}}};
}

} // namespace chat::server
