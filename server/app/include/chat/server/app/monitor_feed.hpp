#pragma once
// The queue monitor's view of a tenant, as typed events: its line in routing order, its
// experts, each tier's depth and longest wait, and the figures of its last hour, kept up to
// date from each outcome.

#include "chat/protocol/events.hpp"
#include "chat/queue/core.hpp"
#include "chat/server/app/team_stats.hpp"

#include <functional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace chat::server {

class monitor_feed {
public:
    // Feeds the minute figures from an outcome; returns the tenants whose figures changed.
    std::set<std::string> collect(const queue::outcome& out, const queue::core& core, queue::instant now);
    protocol::event::queue_snapshot snapshot(const std::string& tenant, const queue::core& core, queue::instant now);
    // What an outcome changed, for each tenant `watched` says has monitors.
    std::vector<std::pair<std::string, protocol::event::queue_delta>>
    deltas(const queue::outcome& out, const std::set<std::string>& figures_changed, const queue::core& core,
           queue::instant now, const std::function<bool(const std::string&)>& watched);

    static std::vector<protocol::event::queue_entry> line_of(const std::string& tenant, const queue::core& core,
                                                             queue::instant now);
    static std::vector<protocol::event::board_entry> board_of(const std::string& tenant, const queue::core& core);
    static protocol::event::per_tier<protocol::event::line_figures> tiers_of(const std::string& tenant,
                                                                            const queue::core& core, queue::instant now);

private:
    static protocol::event::queue_entry entry(const queue::conversation& c, const queue::core& core, queue::instant now);
    static protocol::event::board_entry entry(const queue::expert& x, const queue::core& core);
    static protocol::event::minute figures(const team_stats::minute& m);
    void utilization(const std::string& tenant, const queue::core& core, queue::instant now);

    std::unordered_map<std::string, team_stats> stats_; // by tenant
};

} // namespace chat::server
