#pragma once
// A response-time target in the units support policies write them in: a wall-clock duration
// ("30m", "4h"), business hours ("4bh", "90bm": open time of the tier's hours), or business
// days ("1bd": by the end of the next business day of the calendar).

#include "chat/queue/calendar.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace chat::queue {

struct response_target {
    enum class unit { wall, business_hours, business_days };
    unit in = unit::wall;
    duration amount{}; // wall and business_hours
    int days = 0;      // business_days

    static response_target wall_clock(duration d) { return {unit::wall, d, 0}; }
    static response_target open_time(duration d) { return {unit::business_hours, d, 0}; }
    static response_target end_of_business_day(int n) { return {unit::business_days, {}, n}; }
    bool operator==(const response_target&) const = default;
};

// "90s", "30m", "4h", "90bm", "4bh", "1bd"; none when malformed, zero or beyond a year.
std::optional<response_target> parse_response_target(std::string_view text);
std::string to_string(const response_target& t);

// When a target that starts at `from` is due: business hours count open time of `hours` in
// `calendar`; business days end at the local midnight closing the Nth business day after
// `from`'s local day (weekends and holidays skipped).
instant due_at(const response_target& t, instant from, const business_calendar& calendar, const business_hours& hours);

} // namespace chat::queue
