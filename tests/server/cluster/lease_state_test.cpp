// A shard's lease on a manual clock: taken, renewed, lost, released.

#include "chat/server/cluster/lease_state.hpp"

#include <catch2/catch.hpp>

using namespace chat::server::cluster;
using namespace std::chrono_literals;
using clock_t_ = lease_state::clock;

namespace {
const clock_t_::time_point t0 = clock_t_::time_point{} + 1h;
}

TEST_CASE("a taken lease is held, and renewed every second", "[cluster][lease]") {
    lease_state l;
    l.taking();
    CHECK_FALSE(l.held(t0));
    l.taken(7, t0);
    CHECK(l.epoch() == 7);
    CHECK(l.held(t0 + 100ms));
    CHECK(l.tick(t0 + 500ms) == lease_state::next::nothing);
    CHECK(l.tick(t0 + 1000ms) == lease_state::next::renew);
    CHECK(l.tick(t0 + 1100ms) == lease_state::next::nothing); // one renewal at a time
    l.renewed(true, t0 + 1000ms);
    CHECK(l.held(t0 + 3000ms)); // 0.8 x 3 s after the renewal was sent
    CHECK(l.tick(t0 + 2000ms) == lease_state::next::renew);
}

TEST_CASE("a lease whose renewals get no answer stops being held before it can lapse", "[cluster][lease]") {
    lease_state l;
    l.taken(1, t0);
    CHECK(l.tick(t0 + 1s) == lease_state::next::renew);
    l.renewal_failed();
    CHECK(l.tick(t0 + 2s) == lease_state::next::renew);
    l.renewal_failed();
    CHECK(l.held(t0 + 2399ms));
    CHECK_FALSE(l.held(t0 + 2400ms)); // the lease may lapse on Redis's clock at t0 + 3 s
    CHECK(l.tick(t0 + 2400ms) == lease_state::next::lost);
    CHECK(l.now_in() == lease_state::phase::lost);
}

TEST_CASE("a renewal that finds the lease another's loses it at once", "[cluster][lease]") {
    lease_state l;
    l.taken(1, t0);
    l.tick(t0 + 1s);
    l.renewed(false, t0 + 1s);
    CHECK_FALSE(l.held(t0 + 1s));
    CHECK(l.now_in() == lease_state::phase::lost);
}

TEST_CASE("a paused node wakes up with its lease no longer held", "[cluster][lease]") {
    lease_state l;
    l.taken(3, t0);
    // Nothing ran for 10 s (SIGSTOP): the first tick after it loses the lease, never renews it.
    CHECK(l.tick(t0 + 10s) == lease_state::next::lost);
    CHECK_FALSE(l.held(t0 + 10s));
}

TEST_CASE("a fenced commit loses the lease at once", "[cluster][lease]") {
    lease_state l;
    l.taken(3, t0);
    l.fenced();
    CHECK_FALSE(l.held(t0 + 1ms));
}

TEST_CASE("a released lease is free again", "[cluster][lease]") {
    lease_state l;
    l.taken(3, t0);
    l.releasing();
    CHECK_FALSE(l.held(t0 + 1ms));
    l.released();
    CHECK(l.now_in() == lease_state::phase::free);
    CHECK(l.next_due() == clock_t_::time_point::max());
}
