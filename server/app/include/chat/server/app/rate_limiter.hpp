#pragma once
// A token bucket: `rate` actions per second on average, `burst` at once.

#include <algorithm>
#include <chrono>

namespace chat::server {

class rate_limiter {
public:
    using clock = std::chrono::steady_clock;
    rate_limiter(double rate, double burst) : rate_(rate), burst_(burst), tokens_(burst), last_(clock::now()) {}

    bool allow(clock::time_point now = clock::now()) {
        std::chrono::duration<double> gap = now - last_;
        last_ = now;
        tokens_ = std::min(burst_, tokens_ + gap.count() * rate_);
        if (tokens_ < 1) return false;
        tokens_ -= 1;
        return true;
    }

    // Back to a whole burst: forgetting this bucket would change nothing.
    bool full(clock::time_point now = clock::now()) const {
        std::chrono::duration<double> gap = now - last_;
        return tokens_ + gap.count() * rate_ >= burst_;
    }

private:
    double rate_, burst_, tokens_;
    clock::time_point last_;
};

} // namespace chat::server
