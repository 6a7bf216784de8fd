#pragma once
// Moves what a chatd from before shards wrote (one set of keys for every tenant: chat:live,
// chat:timers, ..., each conversation under {c:ID}) into the shards' keys, once, at start.
// Every step can run again: a node that dies half-way leaves the rest for the next start.

#include "chat/server/redis/client.hpp"
#include "chat/server/store/shards.hpp"

#include <functional>

namespace chat::server {

struct migration_report {
    std::size_t conversations = 0, experts = 0, customers = 0, timers = 0, tickets = 0, unreadable = 0;
};

// Redis, called and answered in turn (migration runs before chatd serves, off the I/O threads).
using blocking_exec = std::function<std::pair<std::error_code, redis::client::replies>(std::vector<redis::command>)>;

// Whether Redis holds keys of the old layout.
bool old_layout_present(const blocking_exec& exec);
// Moves them; throws std::runtime_error when Redis fails half-way (start again to finish).
migration_report migrate_layout(const blocking_exec& exec, const shard_map& map);

} // namespace chat::server
