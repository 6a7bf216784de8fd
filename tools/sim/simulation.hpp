#pragma once
// A staffing what-if: drives the conversation core on a virtual clock with Poisson arrivals.

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace chat::sim {

enum class handle_distribution { exponential, fixed, lognormal };

struct scenario {
    int experts = 10;
    int capacity = 3;
    double hours = 8;
    std::uint64_t seed = 1;
    std::array<double, 2> arrivals_per_hour{0, 0}; // enterprise, standard
    double handle_minutes = 10;
    handle_distribution handle = handle_distribution::exponential;
    std::optional<double> patience_minutes; // customers leave the queue after this wait
};

struct tier_report {
    std::uint64_t conversations = 0; // arrived
    std::uint64_t assigned = 0;
    std::uint64_t abandoned = 0;
    std::uint64_t sla_breaches = 0;
    double wait_mean_s = 0, wait_p50_s = 0, wait_p90_s = 0, wait_p99_s = 0, wait_max_s = 0;
};

struct report {
    std::array<tier_report, 2> tiers;
    double utilization = 0; // busy capacity over total capacity, within the arrival window
    std::uint64_t events = 0;
};

report simulate(const scenario& s);

} // namespace chat::sim
