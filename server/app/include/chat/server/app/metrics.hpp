#pragma once
// /metrics in the Prometheus text format: the hub's counters and the line as the core holds it.

#include "chat/queue/core.hpp"
#include "chat/server/app/counters.hpp"

#include <string>

namespace chat::server {

std::string prometheus_text(const hub_counters& k, const queue::core& core, bool redis_up, queue::instant now);

} // namespace chat::server
