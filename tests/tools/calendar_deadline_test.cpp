#include "calendar_deadline.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <sstream>

using chat::tools::calendar_deadline;

namespace {

struct run_result {
    int status;
    std::string out, err;
};

run_result run(std::vector<std::string> args, const std::string& input = "") {
    std::istringstream in(input);
    std::ostringstream out, err;
    int status = calendar_deadline(args, in, out, err);
    return {status, out.str(), err.str()};
}

std::string holidays() { return std::string(CHAT_SOURCE_DIR) + "/tests/data/de-holidays.ics"; }

} // namespace

TEST_CASE("the deadline skips weekends and the calendar's holidays", "[chatctl]") {
    auto r = run({"--calendar", holidays(), "--tz", "Europe/Berlin", "--from", "2026-12-22T10:00:00Z",
                  "--business-days", "7"});
    CHECK(r.status == 0);
    CHECK(r.out == "2027-01-07T23:00:00Z\n");
}

TEST_CASE("instants from standard input get one deadline per line", "[chatctl]") {
    auto r = run({"--calendar", holidays(), "--tz", "Asia/Dubai", "--weekend", "fri,sat", "--from", "-",
                  "--business-days", "1"},
                 "2026-11-19T10:00:00Z\n2026-11-20T10:00:00Z\n");
    CHECK(r.status == 0);
    // Thursday -> Sunday ends Monday 00:00 +04; Friday -> Sunday as well.
    CHECK(r.out == "2026-11-22T20:00:00Z\n2026-11-22T20:00:00Z\n");
}

TEST_CASE("a bad instant, zone or file is a clear error and a non-zero exit", "[chatctl]") {
    auto bad_instant = run({"--tz", "UTC", "--from", "tomorrow", "--business-days", "7"});
    CHECK(bad_instant.status != 0);
    CHECK_THAT(bad_instant.err, Catch::Contains("not an ISO-8601 instant"));
    auto bad_zone = run({"--tz", "Nowhere/City", "--from", "2026-11-19T10:00:00Z", "--business-days", "7"});
    CHECK(bad_zone.status != 0);
    CHECK_THAT(bad_zone.err, Catch::Contains("unknown time zone"));
    auto bad_file = run({"--calendar", "/nonexistent.ics", "--tz", "UTC", "--from", "2026-11-19T10:00:00Z",
                         "--business-days", "7"});
    CHECK(bad_file.status != 0);
    CHECK_THAT(bad_file.err, Catch::Contains("cannot read"));
    auto bad_line = run({"--tz", "UTC", "--from", "-", "--business-days", "2"}, "2026-11-19T10:00:00Z\nnope\n");
    CHECK(bad_line.status != 0);
    CHECK(bad_line.out == "2026-11-24T00:00:00Z\nerror\n"); // Thu + 2 business days ends Tue 00:00
}
