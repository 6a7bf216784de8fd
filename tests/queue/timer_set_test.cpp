#include "chat/queue/timer_set.hpp"

#include <catch2/catch.hpp>

using namespace chat::queue;
using namespace std::chrono_literals;

TEST_CASE("timers fire in due order and at most one per kind and subject", "[timer_set]") {
    timer_set timers;
    instant t0{};
    timers.arm({timer_kind::offer_timeout, "c1", t0 + 30s});
    timers.arm({timer_kind::inactivity, "c1", t0 + 10s});
    auto replaced = timers.arm({timer_kind::offer_timeout, "c1", t0 + 5s});
    REQUIRE(replaced);
    CHECK(replaced->due == t0 + 30s);
    CHECK(timers.size() == 2);
    CHECK(timers.next_due() == t0 + 5s);
    CHECK_FALSE(timers.pop_due(t0 + 4s));
    auto first = timers.pop_due(t0 + 20s);
    REQUIRE(first);
    CHECK(first->kind == timer_kind::offer_timeout);
    CHECK(timers.pop_due(t0 + 20s)->kind == timer_kind::inactivity);
    CHECK_FALSE(timers.next_due());
}

TEST_CASE("a cancelled timer never fires", "[timer_set]") {
    timer_set timers;
    instant t0{};
    timers.arm({timer_kind::reopen_deadline, "c9", t0 + 1s});
    CHECK(timers.cancel(timer_kind::reopen_deadline, "c9"));
    CHECK_FALSE(timers.cancel(timer_kind::reopen_deadline, "c9"));
    CHECK_FALSE(timers.pop_due(t0 + 1h));
}
