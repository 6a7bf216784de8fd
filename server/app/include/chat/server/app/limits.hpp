#pragma once
// The bounds a hub keeps: how many may wait, how fast a customer may write, page sizes.

#include "chat/queue/types.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace chat::server {

struct hub_limits {
    std::size_t max_queue = 10000;         // waiting conversations, all tenants; opens beyond are refused
    double customer_messages_per_second = 5; // per customer, across their connections
    double customer_message_burst = 20;
    std::size_t history_page = 1000;       // messages per history reply
    queue::duration survey_wait = std::chrono::hours(24 * 7); // a closed conversation awaits its survey
    std::uint64_t file_quota_bytes = std::uint64_t{10} << 30; // what a tenant's files may take in the file store
    std::size_t shared_answers = 500;   // saved answers a tenant's staff share
    std::size_t personal_answers = 100; // saved answers of one member of staff
};

} // namespace chat::server
