#pragma once
// ISO-8601 instants as text: "2026-11-21T09:30:00Z" (an offset such as +02:00 is accepted too).

#include "chat/queue/types.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace chat::protocol {

std::optional<queue::instant> parse_instant(std::string_view text);
// Whole seconds, UTC, with a trailing Z.
std::string format_instant(queue::instant t);

} // namespace chat::protocol
