#include "sla_due.hpp"

#include "../common/cli_args.hpp"

#include "chat/protocol/iso8601.hpp"
#include "chat/server/config.hpp"

#include <iostream>

namespace chat::tools {
namespace {

// The chat first-response target in the units the table writes.
queue::response_target first_response(const queue::tier_policy& tp, queue::severity s) {
    auto d = tp.first_response_target[s - 1];
    return tp.sla_in_business_time ? queue::response_target::open_time(d) : queue::response_target::wall_clock(d);
}

} // namespace

int sla_due(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    try {
        cli_args cli(args, {"config", "tier", "severity", "from", "region"});
        auto cfg = server::load_config(cli.get("config").value_or(""));
        auto tier = queue::parse_tier(cli.require("tier"));
        if (!tier) throw usage_error("--tier must be enterprise or standard");
        auto severity = cli.number("severity", -1);
        if (severity < 1 || severity > queue::max_severity || severity != static_cast<int>(severity))
            throw usage_error("--severity must be 1, 2, 3 or 4");
        auto from = protocol::parse_instant(cli.require("from"));
        if (!from) throw usage_error("--from must be an ISO-8601 instant such as 2026-11-21T09:30:00Z");
        auto s = static_cast<queue::severity>(severity);
        const auto& policy = cfg.policy;
        const auto& tp = policy.of(*tier);
        const auto& calendar = policy.hours_calendar(*tier, cli.get("region").value_or(""));

        auto first = first_response(tp, s);
        const auto& contact = tp.initial_contact[s - 1];
        out << "first_response   " << protocol::format_instant(queue::due_at(first, *from, calendar, tp.hours)) << "  "
            << queue::to_string(first) << '\n'
            << "initial_contact  " << protocol::format_instant(queue::due_at(contact, *from, calendar, tp.hours)) << "  "
            << queue::to_string(contact) << '\n';
        // The reply clocks, when the tier sets them: from a customer's message, or an update.
        for (auto [name, target] : {std::pair{"next_response    ", tp.next_response[s - 1]},
                                    std::pair{"update_every     ", tp.update_every[s - 1]}})
            if (target)
                out << name << protocol::format_instant(queue::due_at(*target, *from, calendar, tp.hours)) << "  "
                    << queue::to_string(*target) << '\n';
        out << "calendar         " << calendar.time_zone_name() << '\n';
        return 0;
    } catch (const usage_error& e) {
        err << "chatctl sla due: " << e.what() << '\n';
        return 2;
    } catch (const std::exception& e) {
        err << "chatctl sla due: " << e.what() << '\n';
        return 1;
    }
}

} // namespace chat::tools
