#pragma once
// A configured webhook endpoint: where events go, which ones, how they are signed and how
// long a failing delivery is retried.

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace chat::server::webhooks {

// When a delivery that failed is tried again, and when it is given up.
struct retry_policy {
    int max_attempts = 12;                          // then a dead letter (replayable)
    std::chrono::milliseconds first_delay{10'000};  // doubled after each failure ...
    std::chrono::milliseconds max_delay{3'600'000}; // ... up to this
};

struct endpoint {
    std::string name;              // an id: names its place, retries and dead letters in Redis
    std::string url;               // http:// or https://
    std::string secret;            // the HMAC-SHA256 key of X-Chatd-Signature
    std::set<std::string> events;  // the event types it takes (empty: all)
    std::set<std::string> tenants; // the tenants whose events it takes (empty: all)
    retry_policy retry;
    std::chrono::milliseconds timeout{10'000}; // one attempt: connect, send, answer
    std::string ca_file;           // https: trust this CA (PEM) instead of the system's

    bool wants(std::string_view type, std::string_view tenant) const {
        return (events.empty() || events.count(std::string(type))) && (tenants.empty() || tenants.count(std::string(tenant)));
    }
};

// The `[[webhooks]]` tables, and what they share.
struct config {
    std::vector<endpoint> endpoints;
    std::string public_url; // chatd as the ticket system reaches it: attachment links are absolute
    // Every event type some endpoint takes (what the hubs write to the outbox).
    std::set<std::string> wanted_events() const;
};

// An endpoint's URL taken apart.
struct url_parts {
    bool tls = false;
    std::string host, port, target;
};
std::optional<url_parts> parse_url(std::string_view url);

} // namespace chat::server::webhooks
