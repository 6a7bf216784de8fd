#pragma once
// When to try a failed delivery again, and when an endpoint that keeps failing is left to rest,
// without I/O: time comes in as milliseconds since the epoch, randomness as a number in [0, 1).

#include "chat/server/webhooks/endpoint.hpp"

#include <cstdint>

namespace chat::server::webhooks {

// The wait before the next attempt after `tries` failed ones (1, 2, ...): doubling from the
// policy's first delay up to its maximum, the second half of it random (so that endpoints
// coming back are not hit by every shard at once).
std::int64_t retry_delay_ms(const retry_policy& p, int tries, double jitter);

// Given up after this many attempts.
inline bool give_up(const retry_policy& p, int tries) { return tries >= p.max_attempts; }

// An endpoint's state as its deliveries find it: after a failure it rests (nothing is sent to
// it, new events wait as retries) for as long as a retry would wait after that many failures
// in a row; the first success ends it.
class endpoint_health {
public:
    explicit endpoint_health(retry_policy p) : policy_(p) {}
    bool resting(std::int64_t now_ms) const { return now_ms < rests_until_; }
    std::int64_t rests_until() const { return rests_until_; }
    int failures() const { return failures_; }
    void succeeded() {
        failures_ = 0;
        rests_until_ = 0;
    }
    void failed(std::int64_t now_ms, double jitter) {
        ++failures_;
        rests_until_ = now_ms + retry_delay_ms(policy_, failures_, jitter);
    }

private:
    retry_policy policy_;
    int failures_ = 0;
    std::int64_t rests_until_ = 0;
};

} // namespace chat::server::webhooks
