#pragma once
// Counters for /metrics, written on the hub's strand and by sessions, read from any thread.

#include "chat/queue/effects.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

namespace chat::server {

// Refusals by error code: every code of the protocol's table, and "other".
struct refusal_counts {
    static constexpr std::array<std::string_view, 29> codes{
        "bad_json", "not_an_object", "too_deep", "too_large", "unknown_type", "bad_field", "binary_refused",
        "not_authenticated", "bad_token", "wrong_role", "origin_refused", "rate_limited", "unavailable",
        "queue_full", "unknown_conversation", "not_allowed", "illegal_transition", "over_capacity", "no_offer",
        "no_proposal", "invalid_argument", "restricted", "too_many_open", "expired", "already_exists",
        "expert_unavailable", "unknown_team", "not_restricted", "other"};
    std::array<std::atomic<std::uint64_t>, codes.size()> counts{};
    void count(std::string_view code) {
        std::size_t i = 0;
        while (i + 1 < codes.size() && codes[i] != code) ++i;
        ++counts[i];
    }
};

struct hub_counters {
    std::atomic<std::uint64_t> connections{0}, opened{0}, offers{0}, assignments{0}, sla_breaches{0},
        messages{0}, commits{0}, committed_steps{0}, commit_failures{0}, refused{0};
    std::atomic<std::uint64_t> commit_micros_total{0};
    // Webhook attempts answered 2xx, attempts that failed, events given up (dead letters).
    std::atomic<std::uint64_t> webhooks_delivered{0}, webhooks_failed{0}, webhooks_dead{0};
    std::array<std::atomic<std::uint64_t>, 8> commit_latency_buckets{}; // <=0.5,1,2,5,10,50,250 ms, +Inf
    refusal_counts refusals;

    // Every refusal, by the connection or by the hub, goes through here.
    void refused_by_code(std::string_view code) {
        ++refused;
        refusals.count(code);
    }
    // What an outcome's effects count for.
    void count(const queue::outcome& out) {
        for (const auto& e : out.effects) {
            if (std::holds_alternative<queue::effect::offered>(e)) ++offers;
            else if (std::holds_alternative<queue::effect::assigned>(e)) ++assignments;
            else if (std::holds_alternative<queue::effect::sla_breached>(e)) ++sla_breaches;
        }
    }
    void commit_took(std::chrono::microseconds took, std::size_t steps) {
        static constexpr long long bounds[] = {500, 1000, 2000, 5000, 10000, 50000, 250000};
        std::size_t bucket = 0;
        while (bucket < 7 && took.count() > bounds[bucket]) ++bucket;
        ++commit_latency_buckets[bucket];
        commit_micros_total += static_cast<std::uint64_t>(took.count());
        ++commits;
        committed_steps += steps;
    }
};

} // namespace chat::server
