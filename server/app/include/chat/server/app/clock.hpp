#pragma once
// Where the server reads the time: the system clock, or a clock that tests move by hand.

#include "chat/queue/types.hpp"

#include <atomic>

namespace chat::server {

class clock {
public:
    virtual ~clock() = default;
    virtual queue::instant now() const = 0;
};

class system_clock final : public clock {
public:
    queue::instant now() const override {
        return std::chrono::time_point_cast<queue::duration>(std::chrono::system_clock::now());
    }
};

// Tests set and advance it; after moving it, call hub::time_moved() so due timers fire.
class manual_clock final : public clock {
public:
    explicit manual_clock(queue::instant start) : ms_(start.time_since_epoch().count()) {}
    queue::instant now() const override { return queue::instant(queue::duration(ms_.load())); }
    void advance(queue::duration d) { ms_ += d.count(); }
    void set(queue::instant t) { ms_ = t.time_since_epoch().count(); }

private:
    std::atomic<long long> ms_;
};

} // namespace chat::server
