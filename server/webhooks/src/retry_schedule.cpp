#include "chat/server/webhooks/retry_schedule.hpp"

#include <algorithm>

namespace chat::server::webhooks {

std::int64_t retry_delay_ms(const retry_policy& p, int tries, double jitter) {
    auto cap = std::max<std::int64_t>(1, p.max_delay.count());
    auto delay = std::max<std::int64_t>(1, p.first_delay.count());
    for (int i = 1; i < tries && delay < cap; ++i) delay *= 2;
    delay = std::min(delay, cap);
    jitter = std::clamp(jitter, 0.0, 1.0);
    return delay / 2 + static_cast<std::int64_t>(static_cast<double>(delay - delay / 2) * jitter);
}

} // namespace chat::server::webhooks
