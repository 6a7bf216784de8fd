#include "chat/server/cluster/lease_state.hpp"

namespace chat::server::cluster {

namespace {
std::chrono::milliseconds scaled(std::chrono::milliseconds d, double k) {
    return std::chrono::milliseconds(static_cast<long long>(static_cast<double>(d.count()) * k));
}
} // namespace

void lease_state::taken(std::int64_t epoch, clock::time_point sent) {
    phase_ = phase::held;
    epoch_ = epoch;
    safe_until_ = sent + scaled(opts_.ttl, opts_.safety);
    renew_at_ = sent + opts_.renew_every;
    renewing_ = false;
}

lease_state::next lease_state::tick(clock::time_point now) {
    if (phase_ != phase::held) return next::nothing;
    if (now >= safe_until_) {
        lose();
        return next::lost;
    }
    if (now >= renew_at_ && !renewing_) {
        renewing_ = true;
        renew_at_ = now + opts_.renew_every;
        return next::renew;
    }
    return next::nothing;
}

void lease_state::renewed(bool ours, clock::time_point sent) {
    renewing_ = false;
    if (phase_ != phase::held) return;
    if (!ours) return lose();
    safe_until_ = std::max(safe_until_, sent + scaled(opts_.ttl, opts_.safety));
}

lease_state::clock::time_point lease_state::next_due() const {
    if (phase_ != phase::held) return clock::time_point::max();
    return std::min(safe_until_, renewing_ ? safe_until_ : renew_at_);
}

} // namespace chat::server::cluster
