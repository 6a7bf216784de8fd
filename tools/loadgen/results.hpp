#pragma once
// What a load run measured, printed as a table and written as JSON.

#include "histogram.hpp"
#include "options.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <ostream>
#include <string>

namespace chat::loadgen {

struct results {
    // Connections: attempted, open (authenticated for chatd), failed; setup time each.
    std::uint64_t connections_wanted = 0, connections_open = 0, connections_failed = 0;
    histogram connect_setup;
    double connect_seconds = 0;

    // Conversations (chatd): opened, offered, assigned, and the time each step took.
    std::uint64_t opened = 0, offered = 0, assigned = 0, closed = 0;
    histogram open_to_answer, open_to_offer, open_to_assigned; // answer: the open's ok (stored)
    double last_open_to_all_offered_ms = -1; // -1: not every opened conversation was offered

    // Chat messages: sent and delivered per direction, and their delivery latency.
    std::uint64_t sent = 0, delivered = 0, lost = 0, duplicated = 0, out_of_order = 0;
    histogram to_expert, to_customer, delivery;
    double exchange_seconds = 0; // from the first message sent to the last delivered
    std::uint64_t frames_received = 0, bytes_received = 0;

    std::map<std::string, std::uint64_t> errors; // by code or kind
    bool timed_out = false;

    double messages_per_second() const { return exchange_seconds > 0 ? static_cast<double>(delivered) / exchange_seconds : 0; }
    double connections_per_second() const {
        return connect_seconds > 0 ? static_cast<double>(connections_open) / connect_seconds : 0;
    }
    std::uint64_t error_count() const;
};

nlohmann::json to_json(const results& r, const options& o);
void print_table(std::ostream& out, const results& r, const options& o);

} // namespace chat::loadgen
