#include "chat/server/redis/slot_map.hpp"

#include "chat/server/redis/slot.hpp"

#include <algorithm>
#include <charconv>

namespace chat::server::redis {
namespace {

template <class T> std::optional<T> number(std::string_view text) {
    T n{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return n;
}

std::optional<node_address> address_of(std::string_view text) {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    auto port = number<int>(text.substr(colon + 1));
    if (!port) return std::nullopt;
    return node_address{std::string(text.substr(0, colon)), *port};
}

} // namespace

std::optional<slot_map> slot_map::from_reply(const value& reply) {
    slot_map m;
    constexpr std::uint16_t none = 0xffff;
    m.owner_.assign(slot_count, none);
    for (const auto& range : reply.elements) {
        // [first, last, [host, port, id, ...] (the master), replicas...]
        if (range.elements.size() < 3 || range.elements[2].elements.size() < 2) return std::nullopt;
        auto first = range.elements[0].integer, last = range.elements[1].integer;
        if (first < 0 || last >= slot_count || first > last) return std::nullopt;
        node_address master{range.elements[2].elements[0].text, static_cast<int>(range.elements[2].elements[1].integer)};
        auto it = std::find(m.masters_.begin(), m.masters_.end(), master);
        auto index = static_cast<std::uint16_t>(it - m.masters_.begin());
        if (it == m.masters_.end()) m.masters_.push_back(master);
        std::fill(m.owner_.begin() + first, m.owner_.begin() + last + 1, index);
    }
    if (std::find(m.owner_.begin(), m.owner_.end(), none) != m.owner_.end()) return std::nullopt;
    return m;
}

void slot_map::moved(std::uint16_t slot, const node_address& at) {
    auto it = std::find(masters_.begin(), masters_.end(), at);
    owner_[slot] = static_cast<std::uint16_t>(it - masters_.begin());
    if (it == masters_.end()) masters_.push_back(at);
}

std::optional<std::string_view> key_of(const command& c) {
    if (c.empty()) return std::nullopt;
    std::string name(c[0]);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
    // FCALL function numkeys key...: the first key (a shard's keys share one slot).
    if (name == "FCALL" || name == "FCALL_RO" || name == "EVAL" || name == "EVALSHA")
        return c.size() > 3 && c[2] != "0" ? std::optional<std::string_view>(c[3]) : std::nullopt;
    static const char* keyless[] = {"PING", "WAIT", "PUBLISH", "FUNCTION", "SCAN", "INFO", "SELECT", "ROLE", "CLUSTER",
                                    "ASKING", "SUBSCRIBE", "TIME", "DBSIZE", "FLUSHALL", "CONFIG"};
    for (const char* k : keyless)
        if (name == k) return std::nullopt;
    return c.size() > 1 ? std::optional<std::string_view>(c[1]) : std::nullopt;
}

std::optional<redirection> redirection_of(const value& reply) {
    if (!reply.is_error()) return std::nullopt;
    std::string_view t = reply.text;
    redirection r;
    if (t.rfind("MOVED ", 0) == 0) t.remove_prefix(6);
    else if (t.rfind("ASK ", 0) == 0) {
        r.ask = true;
        t.remove_prefix(4);
    } else return std::nullopt;
    auto space = t.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    auto slot = number<std::uint16_t>(t.substr(0, space));
    auto to = address_of(t.substr(space + 1));
    if (!slot || *slot >= slot_count || !to) return std::nullopt;
    r.slot = *slot;
    r.to = *to;
    return r;
}

} // namespace chat::server::redis
