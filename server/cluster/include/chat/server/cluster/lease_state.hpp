#pragma once
// One shard's lease as the node that takes it sees it, without I/O, on the node's monotonic
// clock. The lease runs out on Redis's clock TTL after the last taking or renewal Redis ran;
// the node cannot know when that was, only when it sent the request. So it counts the lease
// held until `sent + ttl * safety` of the last confirmed request, and stops writing (and
// answering) then: a node paused or cut off from Redis fences itself before anyone else can
// take the lease. Stored state never depends on this: a late commit is refused by the epoch.

#include <chrono>
#include <cstdint>
#include <optional>

namespace chat::server::cluster {

class lease_state {
public:
    using clock = std::chrono::steady_clock;
    struct options {
        std::chrono::milliseconds ttl{3000};
        std::chrono::milliseconds renew_every{1000};
        double safety = 0.8; // of the TTL after a confirmed request was sent
    };
    enum class phase : std::uint8_t { free, taking, held, releasing, lost };
    enum class next : std::uint8_t { nothing, renew, lost };

    lease_state() : lease_state(options{}) {}
    explicit lease_state(options opts) : opts_(opts) {}

    phase now_in() const { return phase_; }
    // Writing is safe: held, and confirmed recently enough that it cannot have lapsed.
    bool held(clock::time_point now) const { return phase_ == phase::held && now < safe_until_; }
    std::int64_t epoch() const { return epoch_; }
    const options& opts() const { return opts_; }

    // A taking was sent at `sent`.
    void taking() { phase_ = phase::taking; }
    // Redis answered the taking: taken with `epoch`, or not (held by another).
    void taken(std::int64_t epoch, clock::time_point sent);
    void not_taken() { phase_ = phase::free; }
    // What is due at `now`: a renewal, or noticing that the lease may have lapsed.
    next tick(clock::time_point now);
    // A renewal sent at `sent`: still ours (the lease runs on), or not (someone else's now).
    void renewed(bool ours, clock::time_point sent);
    // A renewal that got no answer: nothing changes; the lease lapses on its own.
    void renewal_failed() { renewing_ = false; }
    // A commit was fenced: another node holds the shard now.
    void fenced() { lose(); }
    void releasing() { phase_ = phase::releasing; }
    void released() { phase_ = phase::free; }
    // When the next tick is due (a renewal or the end of the safe time).
    clock::time_point next_due() const;

private:
    void lose() { phase_ = phase::lost; }

    options opts_;
    phase phase_ = phase::free;
    std::int64_t epoch_ = 0;
    clock::time_point safe_until_{};
    clock::time_point renew_at_{};
    bool renewing_ = false;
};

} // namespace chat::server::cluster
