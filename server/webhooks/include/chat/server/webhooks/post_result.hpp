#pragma once
// How one webhook POST ended, and the TLS context type, without the HTTP client's headers.

#include <memory>
#include <string>

namespace boost::asio::ssl {
class context;
}

namespace chat::server::webhooks {

// An endpoint's TLS settings, shared by the lanes of every shard (none for http).
using tls_context_ptr = std::shared_ptr<boost::asio::ssl::context>;

struct post_result {
    int status = 0;    // 0: no answer (the error says why)
    std::string error; // "" when answered
    bool delivered() const { return status >= 200 && status < 300; }
    std::string describe() const { return status ? "HTTP " + std::to_string(status) : error; }
};

} // namespace chat::server::webhooks
