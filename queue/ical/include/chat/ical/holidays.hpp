#pragma once
// Reads a region's holidays from an iCalendar (RFC 5545) file with libical: all-day events,
// multi-day events through DTEND or DURATION, and recurring ones (RRULE, EXDATE) expanded.

#include <chrono>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>

namespace chat::ical {

// A file that cannot be read or is not valid iCalendar.
class ical_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct expansion_range {
    int first_year = 1970;
    int last_year = 2100;
};

// The local calendar days the events cover.
std::set<std::chrono::sys_days> parse_holidays(std::string_view ics, expansion_range range = {});
std::set<std::chrono::sys_days> load_holidays(const std::string& path, expansion_range range = {});

} // namespace chat::ical
