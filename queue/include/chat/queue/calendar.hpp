#pragma once
// Business calendars: a region's time zone, weekend and holidays, and the
// business-time arithmetic built on them (deadlines, opening hours, SLA time).

#include "chat/queue/types.hpp"

#include <array>
#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace date {
class time_zone;
}

namespace chat::queue {

// One day's local opening hours, [open, close); close at most 24:00.
struct day_hours {
    std::chrono::minutes open{8 * 60};
    std::chrono::minutes close{17 * 60};
};

// Hours for each weekday (0 = Sunday, as std::chrono::weekday::c_encoding()); none: closed.
using weekly_hours = std::array<std::optional<day_hours>, 7>;

// When a team is open, in a calendar's local time: around the clock every day, holidays
// included (`always`); `open`-`close` on the calendar's business days; or, when `week` is
// set, each weekday's own hours whatever the calendar's weekend, holidays closed.
struct business_hours {
    bool always = false;
    std::chrono::minutes open{8 * 60};
    std::chrono::minutes close{17 * 60};
    std::optional<weekly_hours> week{};

    static business_hours around_the_clock() { return {true, {}, {}, std::nullopt}; }
    static business_hours weekly(const weekly_hours& days) { return {false, {}, {}, days}; }
};

// Weekday numbering follows std::chrono::weekday::c_encoding(): 0 = Sunday.
using weekend_days = std::array<bool, 7>;
weekend_days saturday_sunday();
// Parses "sat,sun" / "fri,sat"; throws std::invalid_argument on a bad name.
weekend_days parse_weekend(std::string_view list);

// A region's calendar. Holidays are local calendar days.
class business_calendar {
public:
    // Throws std::runtime_error when the zone is unknown.
    explicit business_calendar(std::string time_zone = "UTC", weekend_days weekend = saturday_sunday(),
                               std::set<std::chrono::sys_days> holidays = {});

    const std::string& time_zone_name() const { return zone_name_; }
    bool is_business_day(std::chrono::sys_days local_day) const;
    bool is_holiday(std::chrono::sys_days local_day) const { return holidays_.count(local_day) > 0; }
    void add_holiday(std::chrono::sys_days local_day) { holidays_.insert(local_day); }

    // The local calendar day that `t` falls on.
    std::chrono::sys_days local_day(instant t) const;
    // The UTC instant of local midnight starting `local_day` (the first valid instant if
    // midnight is skipped by a DST change).
    instant start_of(std::chrono::sys_days local_day) const;

    // End (next local midnight) of the `n`th business day after the local day of `from`.
    instant business_days_deadline(instant from, int n) const;

    bool is_open(instant t, const business_hours& hours) const;
    // `t` itself when open, else the next opening instant.
    instant next_open(instant t, const business_hours& hours) const;
    // Open time between `from` and `to` (zero when to <= from).
    duration open_time_between(instant from, instant to, const business_hours& hours) const;
    // The instant at which `amount` of open time has passed since `from`.
    instant add_open_time(instant from, duration amount, const business_hours& hours) const;

private:
    // Open interval [begin, end) of a local day in UTC, or empty when closed that day.
    bool open_interval(std::chrono::sys_days local_day, const business_hours& hours, instant& begin,
                       instant& end) const;

    std::string zone_name_;
    const date::time_zone* zone_;
    weekend_days weekend_;
    std::set<std::chrono::sys_days> holidays_;
};

} // namespace chat::queue
