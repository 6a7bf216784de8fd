#pragma once
// The webhook events a step produces, each with its payload as the core's state has it then:
// stored in the same commit as the step (the outbox), delivered later by the shard's sender.

#include "chat/queue/core.hpp"
#include "chat/server/store/webhook_records.hpp"

#include <array>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace chat::server::webhook_events {

inline constexpr std::array<std::string_view, 8> types{"conversation.opened", "conversation.assigned", "conversation.closed",
                                                       "ticket.created",      "survey.answered",       "sla.breached",
                                                       "sla.predicted",       "conversation.after_hours"};
bool known(std::string_view type);

// The events of `out` that some endpoint takes (`wanted`), appended to `into`. Event ids come
// from `ids` (random: unique across nodes and restarts).
void collect(const queue::outcome& out, const queue::core& core, queue::instant now, const std::set<std::string>& wanted,
             std::mt19937_64& ids, std::vector<webhook_event>& into);

} // namespace chat::server::webhook_events
