#pragma once
// The kinds of field a chat.v1 message carries, each with the rule that validates it.

#include "chat/queue/types.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chat::protocol {

enum class field_kind : std::uint8_t {
    id,        // 1..64 of [A-Za-z0-9._:@-]: safe inside a Redis key
    token,     // a JWT, at most 8 KiB
    text,      // a chat message, 1..4000 bytes of UTF-8
    note,      // a note or summary, 0..2000 bytes
    comment,   // a survey comment, 0..2000 bytes
    instant,   // ISO-8601, e.g. "2026-11-21T09:30:00Z"
    rating,    // 1..5
    severity,  // 1..4
    capacity,  // 0..100
    sequence,  // a message sequence number, 0..2^53
    presence,  // "available" | "away" | "offline"
    flag,      // true | false
    ids,       // a list of at most 50 ids (skills)
    minutes,   // 1..43200 (30 days)
    request_type, // "problem" | "question" | "feature_request" | "request"
    priority,     // "high" | "normal" | "low"
};

// A value written as null when it has none (where clients tell "none yet" from "absent").
template <class T> struct nullable {
    std::optional<T> value;
    nullable() = default;
    nullable(T v) : value(std::move(v)) {}
    explicit operator bool() const { return value.has_value(); }
    const T& operator*() const { return *value; }
};

// True when `s` may be used as an id (and so as part of a Redis key).
bool valid_id(std::string_view s);

// What a field must look like, for error messages and docs/protocol.md.
std::string_view describe(field_kind k);

} // namespace chat::protocol
