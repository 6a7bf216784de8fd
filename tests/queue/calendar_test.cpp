#include "chat/queue/calendar.hpp"

#include <catch2/catch.hpp>

using namespace chat::queue;
using namespace std::chrono;
using namespace std::chrono_literals;

namespace {
instant at(year_month_day d, hours h, minutes m = 0min) { return sys_days{d} + h + m; }
} // namespace

TEST_CASE("the reopen deadline is the end of the 7th business day after the local day", "[calendar]") {
    business_calendar berlin("Europe/Berlin");
    // Friday 2026-11-20 23:30 local: the next seven business days run Mon 23 .. Tue Dec 1.
    auto deadline = berlin.business_days_deadline(at(2026y / 11 / 20, 22h, 30min), 7);
    CHECK(deadline == at(2026y / 12 / 1, 23h));
}

TEST_CASE("the local day decides, not the UTC day", "[calendar]") {
    business_calendar tokyo("Asia/Tokyo");
    // 2026-11-20 16:00 UTC is already Saturday 01:00 in Tokyo.
    auto deadline = tokyo.business_days_deadline(at(2026y / 11 / 20, 16h), 1);
    // First business day after Saturday is Monday 23rd; it ends at Tuesday 00:00 JST.
    CHECK(deadline == at(2026y / 11 / 23, 15h));
}

TEST_CASE("holidays and a Friday-Saturday weekend are skipped", "[calendar]") {
    business_calendar dubai("Asia/Dubai", parse_weekend("fri,sat"), {sys_days{2026y / 12 / 2}});
    // Monday 2026-11-30 noon local: Tue 1, (Wed 2 holiday), Thu 3, (Fri, Sat), Sun 6, Mon 7.
    auto deadline = dubai.business_days_deadline(at(2026y / 11 / 30, 8h), 4);
    CHECK(deadline == at(2026y / 12 / 7, 20h)); // Tue 8 00:00 +04:00
}

TEST_CASE("a deadline across a DST change is local midnight in the new offset", "[calendar]") {
    business_calendar new_york("America/New_York");
    // Friday 2026-10-30; seven business days end Tuesday 2026-11-10 local, after DST ended on Nov 1.
    auto deadline = new_york.business_days_deadline(at(2026y / 10 / 30, 16h), 7);
    CHECK(deadline == at(2026y / 11 / 11, 5h)); // 00:00 EST = 05:00 UTC
}

TEST_CASE("weekend names are parsed and a bad one is refused", "[calendar]") {
    auto w = parse_weekend("Fri, sat");
    CHECK(w[5]);
    CHECK(w[6]);
    CHECK_FALSE(w[0]);
    CHECK_THROWS_AS(parse_weekend("funday"), std::invalid_argument);
    CHECK_THROWS_AS(parse_weekend("sun,mon,tue,wed,thu,fri,sat"), std::invalid_argument);
}

TEST_CASE("an unknown time zone is refused", "[calendar]") {
    CHECK_THROWS(business_calendar("Mars/Olympus"));
}

TEST_CASE("opening hours are local, on business days only", "[calendar]") {
    business_calendar paris("Europe/Paris");
    business_hours office; // 08:00-17:00
    CHECK(paris.is_open(at(2026y / 1 / 5, 7h), office));        // Monday 08:00 local
    CHECK_FALSE(paris.is_open(at(2026y / 1 / 5, 6h, 59min), office));
    CHECK_FALSE(paris.is_open(at(2026y / 1 / 5, 16h), office));   // 17:00 local, closed
    CHECK_FALSE(paris.is_open(at(2026y / 1 / 10, 10h), office));  // Saturday
    CHECK(paris.is_open(at(2026y / 1 / 10, 10h), business_hours::around_the_clock()));
    // Friday evening: next opening is Monday 08:00 local.
    CHECK(paris.next_open(at(2026y / 1 / 9, 18h), office) == at(2026y / 1 / 12, 7h));
}

TEST_CASE("open time is counted in business hours across nights and weekends", "[calendar]") {
    business_calendar utc("UTC");
    business_hours office;
    // Friday 16:58 to Monday 08:03 is 2 + 3 = 5 open minutes.
    CHECK(utc.open_time_between(at(2026y / 1 / 9, 16h, 58min), at(2026y / 1 / 12, 8h, 3min), office) == 5min);
    CHECK(utc.add_open_time(at(2026y / 1 / 9, 16h, 58min), 5min, office) == at(2026y / 1 / 12, 8h, 3min));
}

TEST_CASE("weekday hours open the days they name, weekend or not, and close on holidays", "[calendar]") {
    business_calendar ny("America/New_York", saturday_sunday(), {sys_days{2026y / 11 / 26}}); // Thanksgiving
    weekly_hours week{};
    week[6] = day_hours{10h, 14h}; // Saturday
    week[4] = day_hours{8h, 20h};  // Thursday
    auto hours = business_hours::weekly(week);
    CHECK(ny.is_open(at(2026y / 11 / 28, 15h), hours));       // Saturday 10:00 EST
    CHECK_FALSE(ny.is_open(at(2026y / 11 / 28, 19h), hours)); // Saturday 14:00
    CHECK_FALSE(ny.is_open(at(2026y / 11 / 30, 15h), hours)); // Monday: not named
    CHECK_FALSE(ny.is_open(at(2026y / 11 / 26, 15h), hours)); // Thanksgiving, a Thursday
    CHECK(ny.is_open(at(2026y / 12 / 3, 13h), hours));        // the next Thursday 08:00
    CHECK(ny.next_open(at(2026y / 11 / 25, 12h), hours) == at(2026y / 11 / 28, 15h));
    // Open minutes across the week: Saturday's 4 hours only.
    CHECK(ny.open_time_between(at(2026y / 11 / 23, 0h), at(2026y / 11 / 30, 0h), hours) == 4h);
}

TEST_CASE("hours that close at 24:00 meet the next day's at midnight", "[calendar]") {
    business_calendar utc("UTC", weekend_days{}, {sys_days{2026y / 7 / 3}});
    business_hours all_day{false, 0h, 24h, std::nullopt};
    CHECK(utc.is_open(at(2026y / 7 / 4, 23h, 59min), all_day)); // a Saturday, no weekend
    CHECK_FALSE(utc.is_open(at(2026y / 7 / 3, 12h), all_day));  // the holiday
    CHECK(utc.add_open_time(at(2026y / 7 / 2, 23h), 2h, all_day) == at(2026y / 7 / 4, 1h));
}
