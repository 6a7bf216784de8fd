#include "chat/server/app/team_stats.hpp"

namespace chat::server {
namespace {

queue::instant minute_of(queue::instant t) { return std::chrono::floor<std::chrono::minutes>(t); }

// An empty minute starting at `at`, with the utilisation carried over from the one before.
team_stats::minute empty_minute(queue::instant at, std::optional<double> utilization = std::nullopt) {
    team_stats::minute m;
    m.at = at;
    m.utilization = utilization;
    return m;
}

double seconds(queue::duration d) { return std::chrono::duration<double>(d).count(); }

} // namespace

std::optional<double> team_stats::minute::average_wait_s(queue::tier t) const {
    auto i = static_cast<std::size_t>(t);
    if (waits[i] == 0) return std::nullopt;
    return wait_sum_s[i] / waits[i];
}

std::optional<double> team_stats::minute::average_first_response_s() const {
    if (first_responses == 0) return std::nullopt;
    return first_response_sum_s / first_responses;
}

team_stats::minute& team_stats::at(queue::instant now) {
    auto m = minute_of(now);
    // Fill the quiet minutes since the last event, then drop what is older than the hour.
    if (minutes_.empty()) minutes_.push_back(empty_minute(m));
    if (minutes_.back().at + std::chrono::minutes(minutes_kept) <= m) {
        // Silent for over an hour: start the hour afresh rather than fill every minute since.
        minutes_.assign(1, empty_minute(m - std::chrono::minutes(minutes_kept - 1), minutes_.back().utilization));
    }
    if (m < minutes_.back().at) return minutes_.back(); // a clock step back: count it in the newest
    // Utilisation stays what it was until someone's load changes.
    while (minutes_.back().at < m)
        minutes_.push_back(empty_minute(minutes_.back().at + std::chrono::minutes(1), minutes_.back().utilization));
    while (minutes_.size() > minutes_kept) minutes_.pop_front();
    return minutes_.back();
}

void team_stats::arrival(queue::tier t, queue::instant now) { ++at(now).arrivals[static_cast<std::size_t>(t)]; }

void team_stats::assigned(queue::tier t, queue::duration waited, queue::instant now) {
    auto& m = at(now);
    m.wait_sum_s[static_cast<std::size_t>(t)] += seconds(waited);
    ++m.waits[static_cast<std::size_t>(t)];
}

void team_stats::first_response(queue::duration elapsed, queue::instant now) {
    auto& m = at(now);
    m.first_response_sum_s += seconds(elapsed);
    ++m.first_responses;
}

void team_stats::utilization(double share, queue::instant now) { at(now).utilization = share; }

std::deque<team_stats::minute> team_stats::last_hour(queue::instant now) {
    at(now);
    return minutes_;
}

const team_stats::minute& team_stats::current(queue::instant now) { return at(now); }

} // namespace chat::server
