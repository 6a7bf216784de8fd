#pragma once
// GET /dev/token: demo tokens for local development (the widget's demo page, the console's
// and monitor's sign-in). Off unless server.dev_tokens is set, which needs a loopback bind,
// and answered only to loopback peers.

#include "chat/queue/types.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <string_view>

namespace chat::server {

// A URL query ("a=1&b=x%20y") decoded into names and values; malformed escapes are kept as is.
std::map<std::string, std::string> parse_query(std::string_view query);

struct dev_token_answer {
    int status = 200;
    nlohmann::json body;
};

// The answer to /dev/token?role=&sub=&tenant=[&tier=&region=&name=]: a token valid 12 hours.
dev_token_answer mint_dev_token(const std::map<std::string, std::string>& query, std::string_view secret,
                                queue::instant now);

} // namespace chat::server
