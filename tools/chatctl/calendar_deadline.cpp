#include "calendar_deadline.hpp"

#include "../common/cli_args.hpp"

#include "chat/ical/holidays.hpp"
#include "chat/protocol/iso8601.hpp"
#include "chat/queue/calendar.hpp"

#include <iostream>
#include <optional>

namespace chat::tools {
namespace {

std::optional<std::string> deadline_of(const queue::business_calendar& cal, const std::string& text,
                                       int n, std::string& error) {
    auto from = protocol::parse_instant(text);
    if (!from) {
        error = "'" + text + "' is not an ISO-8601 instant such as 2026-11-21T09:30:00Z";
        return std::nullopt;
    }
    return protocol::format_instant(cal.business_days_deadline(*from, n));
}

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
    auto first = s.find_first_not_of(" \t");
    return first == std::string::npos ? std::string{} : s.substr(first);
}

} // namespace

int calendar_deadline(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
                      std::ostream& err) {
    try {
        cli_args cli(args, {"calendar", "tz", "weekend", "from", "business-days"});
        auto days = cli.number("business-days", -1);
        if (days < 0 || days > 3650 || days != static_cast<int>(days))
            throw usage_error("--business-days must be a whole number from 0 to 3650");
        auto weekend = queue::parse_weekend(cli.get("weekend").value_or("sat,sun"));
        std::set<std::chrono::sys_days> holidays;
        if (auto file = cli.get("calendar")) holidays = ical::load_holidays(*file);
        std::optional<queue::business_calendar> cal;
        try {
            cal.emplace(cli.require("tz"), weekend, std::move(holidays));
        } catch (const usage_error&) {
            throw;
        } catch (const std::exception&) {
            throw usage_error("unknown time zone '" + cli.require("tz") + "'");
        }

        auto from = cli.require("from");
        int n = static_cast<int>(days);
        std::string error;
        if (from != "-") {
            auto d = deadline_of(*cal, from, n, error);
            if (!d) throw usage_error(error);
            out << *d << '\n';
            return 0;
        }
        int status = 0;
        std::string line;
        for (int number = 1; std::getline(in, line); ++number) {
            line = trimmed(line);
            if (line.empty()) continue;
            if (auto d = deadline_of(*cal, line, n, error)) {
                out << *d << '\n';
            } else {
                err << "chatctl: line " << number << ": " << error << '\n';
                out << "error\n"; // keeps output lines aligned with input lines
                status = 1;
            }
        }
        return status;
    } catch (const usage_error& e) {
        err << "chatctl calendar deadline: " << e.what() << '\n';
        return 2;
    } catch (const std::exception& e) {
        err << "chatctl calendar deadline: " << e.what() << '\n';
        return 1;
    }
}

} // namespace chat::tools
