#pragma once
// chatctl webhooks: what the webhook outbox holds, straight from chatd's Redis.

#include <iosfwd>
#include <string>
#include <vector>

namespace chat::tools {

// `webhooks status`: per endpoint, events waiting to be retried and dead letters.
// `webhooks dead [--tenant T] [--limit N] [--format text|json]`: the dead letters, newest first.
// `webhooks replay (ID --tenant T | --all [--tenant T])`: back to their endpoint, due now.
int webhooks_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

} // namespace chat::tools
