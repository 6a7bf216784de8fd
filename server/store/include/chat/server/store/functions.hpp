#pragma once
// chatd's Redis Functions (Redis 7): one library, loaded by every node at start. Each runs
// atomically on the master of the shard's slot, and each takes only that shard's keys.
//
//   chatd_acquire  KEYS lease epoch   ARGV holder ttl_ms replaceable
//                  takes a free lease (or one whose holder is `replaceable`, a dead process),
//                  counts the epoch up and writes "holder epoch" with the TTL; returns the
//                  epoch, or {0, lease value, ms left}
//   chatd_renew    KEYS lease         ARGV value ttl_ms      1 when still ours (TTL renewed), else 0
//   chatd_release  KEYS lease         ARGV value             1 when it was ours (now gone), else 0
//   chatd_commit   KEYS epoch k1..kn  ARGV epoch op...       applies a shard's batch when the epoch
//                  is still `epoch` (else the error FENCED, nothing written); each op is
//                  name, key index, argument count, arguments. An XADD with an explicit id that
//                  the stream already holds is skipped when the stored entry is the same message
//                  (client id, author, text: a rewrite after a lost reply), else the error
//                  CONFLICT and nothing written. An XADD whose id is ">MS" is added at time MS
//                  (id "MS-*"), or at the stream's last time when that is later.
//   chatd_replay   KEYS dead retries due audit   ARGV id endpoint now_ms at_ms event actor role
//                  moves a webhook dead letter back into its endpoint's retries, due now, and
//                  writes who did it to the tenant's audit log (replay_webhook) in the same step;
//                  1 when moved, 0 when no such dead letter is kept (not fenced: any node, or
//                  chatctl, may replay; the shard's owner delivers it)

#include "chat/server/redis/value.hpp"

#include <string_view>

namespace chat::server {

inline constexpr std::string_view functions_library = "chatd";
// The source of the library, for FUNCTION LOAD REPLACE.
std::string_view functions_source();
// FUNCTION LOAD REPLACE of the library: every node sends it at start (a newer node's replaces).
inline redis::command load_functions() { return {"FUNCTION", "LOAD", "REPLACE", std::string(functions_source())}; }

} // namespace chat::server
