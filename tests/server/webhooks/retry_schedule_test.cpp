#include "chat/server/webhooks/retry_schedule.hpp"

#include <catch2/catch.hpp>

using namespace chat::server::webhooks;
using namespace std::chrono_literals;

TEST_CASE("a failed delivery waits twice as long after each try, up to the policy's maximum", "[webhooks][retry]") {
    retry_policy p{12, 10s, 1h};
    // Without jitter: the first half of each wait.
    CHECK(retry_delay_ms(p, 1, 0.0) == 5'000);
    CHECK(retry_delay_ms(p, 2, 0.0) == 10'000);
    CHECK(retry_delay_ms(p, 3, 0.0) == 20'000);
    // With the most jitter: the whole wait.
    CHECK(retry_delay_ms(p, 1, 1.0) == 10'000);
    CHECK(retry_delay_ms(p, 4, 1.0) == 80'000);
    CHECK(retry_delay_ms(p, 9, 1.0) == 2'560'000);
    CHECK(retry_delay_ms(p, 10, 1.0) == 3'600'000); // 5,120 s would pass the hour: capped
    CHECK(retry_delay_ms(p, 100, 1.0) == 3'600'000); // no overflow however many tries
    CHECK(retry_delay_ms(p, 3, 0.5) == 30'000);
}

TEST_CASE("a delivery is given up after the policy's number of tries", "[webhooks][retry]") {
    retry_policy p{3, 1s, 1min};
    CHECK_FALSE(give_up(p, 1));
    CHECK_FALSE(give_up(p, 2));
    CHECK(give_up(p, 3));
}

TEST_CASE("an endpoint that fails rests longer after each failure in a row, and a success ends its rest", "[webhooks][retry]") {
    endpoint_health h(retry_policy{12, 1s, 8s});
    std::int64_t now = 1'000'000;
    CHECK_FALSE(h.resting(now));
    h.failed(now, 1.0);
    CHECK(h.resting(now + 999));
    CHECK_FALSE(h.resting(now + 1000));
    h.failed(now, 1.0);
    CHECK(h.rests_until() == now + 2000);
    for (int i = 0; i < 10; ++i) h.failed(now, 1.0);
    CHECK(h.rests_until() == now + 8000); // capped
    h.succeeded();
    CHECK_FALSE(h.resting(now));
    CHECK(h.failures() == 0);
}
