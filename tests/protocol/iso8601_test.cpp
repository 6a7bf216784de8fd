#include "chat/protocol/iso8601.hpp"

#include <catch2/catch.hpp>

using namespace chat::protocol;
using namespace std::chrono;

TEST_CASE("ISO-8601 instants are read in UTC and with offsets", "[protocol][time]") {
    auto t = parse_instant("2026-11-21T09:30:00Z");
    REQUIRE(t);
    CHECK(*t == sys_days{2026y / 11 / 21} + 9h + 30min);
    CHECK(parse_instant("2026-11-21T11:30:00+02:00") == t);
    CHECK(parse_instant("2026-11-21T09:30:00.250Z") == *t + 250ms);
}

TEST_CASE("malformed instants are refused", "[protocol][time]") {
    for (auto bad : {"", "2026-11-21", "2026-11-21T09:30:00", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
                     "2026-11-21T24:00:00Z", "2026-11-21T09:30:00Zjunk", "yesterday"})
        CHECK_FALSE(parse_instant(bad));
}

TEST_CASE("instants are written in whole seconds with a Z", "[protocol][time]") {
    CHECK(format_instant(sys_days{2027y / 1 / 7} + 23h + 999ms) == "2027-01-07T23:00:00Z");
}
