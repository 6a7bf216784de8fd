#pragma once
// The core's effects as JSON objects ({"effect": "offered", ...}), for logs, tools and the demo.

#include "chat/queue/effects.hpp"

#include <nlohmann/json.hpp>

namespace chat::protocol {

nlohmann::json effect_to_json(const queue::any_effect& e);
nlohmann::json outcome_to_json(const queue::outcome& o);

} // namespace chat::protocol
