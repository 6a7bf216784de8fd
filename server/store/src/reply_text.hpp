#pragma once
// Numbers and instants as Redis stores them (decimal text), shared by the store's files.

#include "chat/queue/types.hpp"
#include "chat/server/redis/client.hpp"

#include <charconv>
#include <optional>
#include <string>
#include <string_view>

namespace chat::server::stored {

inline std::string ms_text(queue::instant t) { return std::to_string(t.time_since_epoch().count()); }

// A decimal integer, or nothing (never an exception: this runs inside Redis callbacks).
template <class Int> std::optional<Int> integer_of(std::string_view text) {
    Int v{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return v;
}

inline std::optional<queue::instant> instant_of(std::string_view ms) {
    auto v = integer_of<long long>(ms);
    if (!v) return std::nullopt;
    return queue::instant(queue::duration(*v));
}

// The first error among the replies, if any.
inline std::error_code first_error(const redis::client::replies& r) {
    for (const auto& v : r)
        if (v.is_error()) return redis::error_of(v);
    return {};
}

} // namespace chat::server::stored
