#include "chat/ical/holidays.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>

using namespace chat::ical;
using namespace std::chrono;

namespace {

std::string data(const std::string& name) { return std::string(CHAT_SOURCE_DIR) + "/tests/data/" + name; }

std::string calendar(const std::string& events) {
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//chatd//test//EN\r\n" + events + "END:VCALENDAR\r\n";
}

} // namespace

TEST_CASE("yearly, multi-day and one-off holidays are read from an iCalendar file", "[ical]") {
    auto days = load_holidays(data("de-holidays.ics"));
    CHECK(days.count(sys_days{2026y / 12 / 25}));
    CHECK(days.count(sys_days{2026y / 12 / 26}));
    CHECK_FALSE(days.count(sys_days{2026y / 12 / 27})); // DTEND is exclusive
    CHECK(days.count(sys_days{2031y / 12 / 25}));
    CHECK(days.count(sys_days{2027y / 1 / 1}));
    CHECK(days.count(sys_days{2026y / 12 / 28}));
    CHECK(days.count(sys_days{2026y / 12 / 30}));
    CHECK_FALSE(days.count(sys_days{2026y / 12 / 31}));
    CHECK_FALSE(days.count(sys_days{2027y / 12 / 28})); // the closure was once only
}

TEST_CASE("a duration, a count and an excluded date shape the days", "[ical]") {
    auto days = parse_holidays(calendar("BEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20260101T000000Z\r\n"
                                        "DTSTART;VALUE=DATE:20260501\r\nDURATION:P2D\r\n"
                                        "RRULE:FREQ=YEARLY;COUNT=3\r\nEXDATE;VALUE=DATE:20270501\r\n"
                                        "END:VEVENT\r\n"));
    CHECK(days == std::set<sys_days>{sys_days{2026y / 5 / 1}, sys_days{2026y / 5 / 2},
                                     sys_days{2028y / 5 / 1}, sys_days{2028y / 5 / 2}});
}

TEST_CASE("an event without an end covers its one day", "[ical]") {
    auto days = parse_holidays(calendar("BEGIN:VEVENT\r\nUID:b\r\nDTSTAMP:20260101T000000Z\r\n"
                                        "DTSTART;VALUE=DATE:20261003\r\nEND:VEVENT\r\n"));
    CHECK(days == std::set<sys_days>{sys_days{2026y / 10 / 3}});
}

TEST_CASE("a yearly rule on a weekday rule expands like a calendar application does", "[ical]") {
    // US Thanksgiving: fourth Thursday of November.
    auto days = parse_holidays(calendar("BEGIN:VEVENT\r\nUID:t\r\nDTSTAMP:20260101T000000Z\r\n"
                                        "DTSTART;VALUE=DATE:20261126\r\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH\r\n"
                                        "END:VEVENT\r\n"),
                               {2026, 2028});
    CHECK(days == std::set<sys_days>{sys_days{2026y / 11 / 26}, sys_days{2027y / 11 / 25}, sys_days{2028y / 11 / 23}});
}

TEST_CASE("a file that is not iCalendar is refused with a clear error", "[ical]") {
    CHECK_THROWS_AS(parse_holidays("this is not a calendar"), ical_error);
    CHECK_THROWS_AS(load_holidays(data("missing.ics")), ical_error);
    CHECK_THROWS_AS(parse_holidays(calendar("BEGIN:VEVENT\r\nUID:c\r\nEND:VEVENT\r\n")), ical_error);
}
