#include "simulation.hpp"

#include <catch2/catch.hpp>

using namespace chat::sim;

namespace {
scenario busy_day() {
    scenario s;
    s.experts = 4;
    s.capacity = 2;
    s.hours = 8;
    s.seed = 42;
    s.arrivals_per_hour = {10, 40};
    s.handle_minutes = 12;
    return s;
}
} // namespace

TEST_CASE("the same seed gives the same simulation", "[sim]") {
    auto a = simulate(busy_day());
    auto b = simulate(busy_day());
    CHECK(a.tiers[1].wait_p90_s == b.tiers[1].wait_p90_s);
    CHECK(a.tiers[0].conversations == b.tiers[0].conversations);
}

TEST_CASE("Enterprise customers wait less than Standard ones on a busy day", "[sim]") {
    auto r = simulate(busy_day());
    CHECK(r.tiers[0].conversations > 40);
    CHECK(r.tiers[1].conversations > 200);
    CHECK(r.tiers[0].wait_mean_s < r.tiers[1].wait_mean_s);
    CHECK(r.utilization > 0.5);
    CHECK(r.utilization <= 1.0);
}

TEST_CASE("an idle team serves everyone at once", "[sim]") {
    auto s = busy_day();
    s.experts = 50;
    auto r = simulate(s);
    CHECK(r.tiers[1].wait_p99_s == 0.0);
    CHECK(r.tiers[1].assigned == r.tiers[1].conversations);
}

TEST_CASE("impatient customers abandon a long queue", "[sim]") {
    auto s = busy_day();
    s.experts = 1;
    s.patience_minutes = 5;
    auto r = simulate(s);
    CHECK(r.tiers[1].abandoned > 0);
    CHECK(r.tiers[1].wait_max_s <= 5 * 60);
}

TEST_CASE("a fixed handle time with exactly enough staff fills every slot", "[sim]") {
    auto s = busy_day();
    s.handle = handle_distribution::fixed;
    s.arrivals_per_hour = {0, 0};
    auto r = simulate(s);
    CHECK(r.tiers[0].conversations == 0);
    CHECK(r.utilization == 0.0);
}
