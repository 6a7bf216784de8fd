#pragma once
// One tenant's last hour, minute by minute, for the queue monitor's charts: arrivals and
// waits per tier, first-response times, expert utilisation. In memory: a restarted chatd
// starts a new hour (the conversations themselves are in Redis).

#include "chat/queue/types.hpp"

#include <array>
#include <deque>
#include <optional>

namespace chat::server {

class team_stats {
public:
    struct minute {
        queue::instant at{}; // the start of the minute
        std::array<int, 2> arrivals{};        // by tier
        std::array<double, 2> wait_sum_s{};   // of conversations assigned in this minute, by tier
        std::array<int, 2> waits{};
        double first_response_sum_s = 0;      // open to the expert's first message
        int first_responses = 0;
        std::optional<double> utilization;    // load / capacity of available experts, last seen

        std::optional<double> average_wait_s(queue::tier t) const;
        std::optional<double> average_first_response_s() const;
    };

    static constexpr std::size_t minutes_kept = 60;

    void arrival(queue::tier t, queue::instant now);
    void assigned(queue::tier t, queue::duration waited, queue::instant now);
    void first_response(queue::duration elapsed, queue::instant now);
    void utilization(double share, queue::instant now);

    // Oldest first; minutes with nothing in them are present (as zeros) so charts keep time.
    std::deque<minute> last_hour(queue::instant now);
    // The minute `now` falls in.
    const minute& current(queue::instant now);

private:
    minute& at(queue::instant now);
    std::deque<minute> minutes_;
};

} // namespace chat::server
