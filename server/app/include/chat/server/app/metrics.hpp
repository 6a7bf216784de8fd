#pragma once
// /metrics in the Prometheus text format: the node's counters and its hubs' lines.

#include "chat/queue/core.hpp"
#include "chat/server/app/counters.hpp"

#include <array>
#include <string>

namespace chat::server {

// How many wait per tier and for how long the longest has, summed over a node's hubs.
struct line_summary {
    std::array<long long, 2> depth{}, longest_wait_s{};
    void add(const line_summary& o);
};
line_summary summarize_line(const queue::core& core, queue::instant now);

std::string prometheus_text(const hub_counters& k, const line_summary& line, bool redis_up);

} // namespace chat::server
