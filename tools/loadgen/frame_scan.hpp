#pragma once
// The few fields the load generator reads from the frames it gets most (chat messages and
// their acks), found without building a JSON document. Such frames are flat objects of
// plain values written without spaces; in a frame with no backslash no string holds a
// quote, so a key's pattern cannot occur inside a value and the scan is exact. Anything
// else is parsed in full by the caller.

#include <optional>
#include <string_view>

namespace chat::loadgen {

// No nested object or array, no escape.
inline bool is_flat(std::string_view frame) {
    return frame.find_first_of("[\\") == std::string_view::npos && frame.find('{', 1) == std::string_view::npos;
}

// The string value of "key" in a flat frame.
inline std::optional<std::string_view> flat_string(std::string_view frame, std::string_view key) {
    for (auto pos = frame.find(key); pos != std::string_view::npos; pos = frame.find(key, pos + key.size())) {
        auto after = pos + key.size();
        if (pos == 0 || frame[pos - 1] != '"' || frame.substr(after, 3) != "\":\"") continue;
        auto end = frame.find('"', after + 3);
        if (end == std::string_view::npos) return std::nullopt;
        return frame.substr(after + 3, end - after - 3);
    }
    return std::nullopt;
}

} // namespace chat::loadgen
