#pragma once
// chatd's configuration: one TOML file with safe defaults, overridden by flags.

#include "chat/queue/policy.hpp"
#include "chat/server/app/limits.hpp"
#include "chat/server/files/file_types.hpp"
#include "chat/server/webhooks/endpoint.hpp"

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace chat::server {

// A configuration that cannot be used; the message names the key or flag.
class config_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct connection_limits {
    std::size_t max_frame_bytes = 64 * 1024;     // larger frames get a too_large error
    std::size_t hard_frame_bytes = 1024 * 1024;  // larger ones close the connection (1009)
    int max_json_depth = 8;
    std::size_t outbound_frames = 1024; // a client this far behind is disconnected
    std::size_t outbound_bytes = 4 * 1024 * 1024;
    double frames_per_second = 20;
    double frame_burst = 40;
    int bad_frames_before_close = 20; // within a minute
    std::chrono::seconds idle_timeout{60};
    std::chrono::seconds handshake_timeout{10};
    std::size_t max_connections = 20000;
    std::chrono::seconds hello_timeout{5};    // a connection without a valid hello by then is closed (1008)
    std::size_t max_unauthenticated = 2000;   // connections still waiting for their hello
    bool permessage_deflate = false;
};

// A region as configured: its calendar is built from this into the policy.
struct region_config {
    std::string timezone = "UTC";
    std::string weekend = "sat,sun";
    std::vector<std::string> holidays; // "2026-12-25"
    std::string holidays_ics;          // an iCalendar file of holidays
};

// Several chatd nodes on one Redis: how they share the shards of tenants.
struct cluster_config {
    std::string node_id;       // unique among the nodes; "" = host:port
    std::size_t shards = 64;   // fixed when a deployment is created
    std::chrono::milliseconds lease_ttl{3000}; // a dead owner's shards are taken over within about this
    std::chrono::milliseconds forward_timeout{5000}; // a request forwarded to an owner that does not answer
};

// How a commit counts as stored on Redis with replicas.
struct redis_config {
    int replica_acks = 0; // 1: each commit waits for a replica (WAIT 1) before anything is told
    std::chrono::milliseconds replica_timeout{1000}; // not confirmed by then: written again
};

// Files sent in the chat (the quota per tenant is the hub's: hub_limits).
struct files_config {
    std::filesystem::path dir; // the file store; "" = data_dir/files (a shared volume for several nodes)
    std::uint64_t max_bytes_standard = 20 << 20, max_bytes_enterprise = 20 << 20; // per file, by tier
    files::type_table types = files::default_types(); // sniffed content type -> name extensions
    std::string clamd; // the virus scan: "unix:/run/clamav/clamd.ctl" or "tcp:HOST:PORT"; "" = off
    std::chrono::milliseconds scan_timeout{60000};
    // Secrets to mask in what experts are shown of logs, besides the console's own list:
    // JavaScript regular expressions (matched case-insensitively), at most 50 of 1-200 characters.
    std::vector<std::string> secret_patterns;
    std::uint64_t max_bytes(queue::tier t) const { return t == queue::tier::enterprise ? max_bytes_enterprise : max_bytes_standard; }
};

struct config {
    std::string bind = "127.0.0.1";
    unsigned short port = 8080;
    int threads = 2;
    std::filesystem::path data_dir = "chatd-data";
    std::string redis_url; // empty: chatd runs its own redis-server
    std::chrono::milliseconds redis_timeout{2000};
    std::string token_secret; // empty: generated into data_dir/token-secret
    bool dev_tokens = false;  // /dev/token mints demo tokens (never in production)
    std::filesystem::path web_root; // the built clients; empty: not served
    connection_limits limits;
    hub_limits hub;
    cluster_config cluster;
    redis_config redis;
    files_config files;
    std::map<std::string, std::vector<std::string>> allowed_origins; // role -> origins; empty: any
    queue::policy policy;
    std::map<std::string, region_config> regions; // by region id, as written
    webhooks::config webhooks; // [[webhooks]], and [server] public_url

    // The effective configuration as TOML, with the secret hidden.
    std::string to_toml() const;
};

// Reads `path` (TOML); an empty path gives the defaults.
config load_config(const std::filesystem::path& path);

struct command_line {
    std::filesystem::path config_file;
    bool print_config = false;
    std::optional<unsigned short> port;
    std::optional<std::filesystem::path> data_dir;
    std::optional<std::string> redis_url;
    std::optional<std::string> bind;
    std::optional<std::filesystem::path> web_root;
    std::optional<std::string> node_id;
    bool dev_tokens = false;
};
command_line parse_command_line(int argc, char** argv);
// Loads the file and applies the flags.
config effective_config(const command_line& cl);

// The secret from the configuration, else from data_dir/token-secret (created if missing).
std::string token_secret(const config& c);

} // namespace chat::server
