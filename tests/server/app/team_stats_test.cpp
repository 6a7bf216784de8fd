#include "chat/protocol/iso8601.hpp"
#include "chat/server/app/team_stats.hpp"

#include <catch2/catch.hpp>

using namespace chat;
using namespace std::chrono_literals;
using queue::tier;

namespace {
queue::instant at(const char* iso) { return *protocol::parse_instant(iso); }
} // namespace

TEST_CASE("team stats count arrivals and average waits per tier within each minute", "[server][stats]") {
    server::team_stats stats;
    stats.arrival(tier::enterprise, at("2026-11-23T09:00:05Z"));
    stats.arrival(tier::standard, at("2026-11-23T09:00:40Z"));
    stats.arrival(tier::standard, at("2026-11-23T09:00:59Z"));
    stats.assigned(tier::standard, 30s, at("2026-11-23T09:00:50Z"));
    stats.assigned(tier::standard, 90s, at("2026-11-23T09:00:55Z"));
    stats.first_response(45s, at("2026-11-23T09:00:58Z"));
    stats.utilization(0.5, at("2026-11-23T09:00:58Z"));

    const auto& m = stats.current(at("2026-11-23T09:00:59Z"));
    CHECK(m.at == at("2026-11-23T09:00:00Z"));
    CHECK(m.arrivals[static_cast<int>(tier::enterprise)] == 1);
    CHECK(m.arrivals[static_cast<int>(tier::standard)] == 2);
    CHECK(m.average_wait_s(tier::standard) == Approx(60));
    CHECK_FALSE(m.average_wait_s(tier::enterprise));
    CHECK(m.average_first_response_s() == Approx(45));
    CHECK(m.utilization == Approx(0.5));
}

TEST_CASE("team stats keep quiet minutes and only the last hour", "[server][stats]") {
    server::team_stats stats;
    stats.arrival(tier::enterprise, at("2026-11-23T09:00:00Z"));
    stats.utilization(0.25, at("2026-11-23T09:00:00Z"));
    auto hour = stats.last_hour(at("2026-11-23T09:03:10Z"));
    REQUIRE(hour.size() == 4);
    CHECK(hour[3].at == at("2026-11-23T09:03:00Z"));
    CHECK(hour[3].arrivals[0] == 0);
    CHECK(hour[3].utilization == Approx(0.25)); // nobody's load changed since

    hour = stats.last_hour(at("2026-11-23T10:10:00Z"));
    REQUIRE(hour.size() == 60);
    CHECK(hour.front().at == at("2026-11-23T09:11:00Z"));
    CHECK(hour.back().at == at("2026-11-23T10:10:00Z"));

    hour = stats.last_hour(at("2026-11-23T14:00:00Z")); // hours of silence
    REQUIRE(hour.size() == 60);
    CHECK(hour.front().at == at("2026-11-23T13:01:00Z"));
    CHECK(hour.back().utilization == Approx(0.25));
}
