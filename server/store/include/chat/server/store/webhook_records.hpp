#pragma once
// The webhook outbox as Redis keeps it, per shard: events written in the same commit as the
// decision they report, each endpoint's place in them, its retries and its dead letters.

#include "chat/queue/types.hpp"

#include <cstdint>
#include <string>

namespace chat::server {

// An event to deliver: written once with the step that caused it.
struct webhook_event {
    std::string event;  // unique id, the receivers' idempotency key (X-Chatd-Delivery)
    std::string type;   // ticket.created, conversation.opened, ...
    std::string tenant;
    std::string body;   // the JSON delivered
    queue::instant at{};
    std::string id{};   // the outbox stream's entry id, when read back
};

// An event one endpoint has not yet taken: retried at `due` (ms since the epoch, system clock).
struct webhook_retry {
    std::string endpoint;
    webhook_event event;
    int tries = 0;          // attempts so far
    std::string error;      // the last one's failure
    std::int64_t due_ms = 0;
};

// An event an endpoint refused or could not take `tries` times: kept until replayed.
struct webhook_dead_letter {
    std::string id;       // the dead-letter stream's entry id (what replay names)
    std::string endpoint;
    webhook_event event;
    int tries = 0;
    std::string error;
    queue::instant at{};  // when it was given up
};

} // namespace chat::server
