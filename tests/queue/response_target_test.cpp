#include "chat/queue/response_target.hpp"

#include <catch2/catch.hpp>

using namespace chat::queue;
using namespace std::chrono;
using namespace std::chrono_literals;

namespace {
instant at(year_month_day d, hours h, minutes m = 0min) { return sys_days{d} + h + m; }
} // namespace

TEST_CASE("targets are written in wall time, business hours or business days, and read back the same", "[queue][sla]") {
    CHECK(parse_response_target("30m") == response_target::wall_clock(30min));
    CHECK(parse_response_target("4h") == response_target::wall_clock(4h));
    CHECK(parse_response_target("90s") == response_target::wall_clock(90s));
    CHECK(parse_response_target("4bh") == response_target::open_time(4h));
    CHECK(parse_response_target("90bm") == response_target::open_time(90min));
    CHECK(parse_response_target("1bd") == response_target::end_of_business_day(1));
    for (const char* text : {"30m", "4h", "90s", "4bh", "90bm", "1bd", "24bh"})
        CHECK(to_string(*parse_response_target(text)) == text);
    for (const char* bad : {"", "0m", "-1h", "4", "4d", "h", "1.5h", "4 h", "400bd", "9999999h", "99999999999999999999m"})
        CHECK_FALSE(parse_response_target(bad));
}

TEST_CASE("a target is due after wall time, after open time, or at the end of the Nth business day", "[queue][sla]") {
    business_calendar utc("UTC");
    business_hours office; // 08:00-17:00 on business days
    auto friday_3pm = at(2026y / 1 / 9, 15h);
    CHECK(due_at(response_target::wall_clock(4h), friday_3pm, utc, office) == at(2026y / 1 / 9, 19h));
    CHECK(due_at(response_target::open_time(4h), friday_3pm, utc, office) == at(2026y / 1 / 12, 10h));
    CHECK(due_at(response_target::end_of_business_day(1), friday_3pm, utc, office) == at(2026y / 1 / 13, 0h));
    CHECK(due_at(response_target::end_of_business_day(2), at(2026y / 1 / 10, 12h), utc, office) == at(2026y / 1 / 14, 0h));
}
