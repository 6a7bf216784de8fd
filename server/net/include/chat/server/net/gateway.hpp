#pragma once
// What every connection shares: the configuration, the token secret, the node, and the
// web clients, and the registry of open WebSocket sessions (for draining).

#include "chat/server/app/counters.hpp"
#include "chat/server/cluster/node.hpp"
#include "chat/server/config.hpp"
#include "chat/server/files/file_store.hpp"
#include "chat/server/files/file_types.hpp"
#include "chat/server/files/type_sniffer.hpp"
#include "chat/server/net/static_site.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace chat::server {

class websocket_session;

struct gateway {
    gateway(config c, const server::clock& clk) : cfg(std::move(c)), clock(clk) {}

    config cfg;
    std::string secret;
    std::shared_ptr<cluster::node> node; // routes each session to its shard's owner
    std::shared_ptr<hub_counters> counters = std::make_shared<hub_counters>();
    static_site site; // the web clients; empty when web_root is not set
    // Files in the chat: their bytes, what types are accepted, and the threads that touch the disk.
    std::shared_ptr<files::file_store> files;
    std::shared_ptr<files::type_sniffer> sniffer;
    files::file_types file_types;
    boost::asio::any_io_executor disk;
    const server::clock& clock;
    std::atomic<std::size_t> connections{0};
    std::atomic<std::size_t> unauthenticated{0}; // WebSocket sessions still waiting for their hello
    std::atomic<bool> draining{false};

    void add(const std::shared_ptr<websocket_session>& s);
    void remove(const websocket_session* s);
    // Tells every open session to reconnect and closes it.
    void drain_sessions();
    std::size_t session_count();
    // Runs `f` once no session is left (at once if none is), on the thread that closed the last.
    void when_empty(std::function<void()> f);
    // Drops every session (after the I/O threads stopped): sessions and gateway refer to each other.
    void clear();

private:
    std::mutex mutex_;
    std::unordered_map<const websocket_session*, std::shared_ptr<websocket_session>> sessions_;
    std::vector<std::function<void()>> when_empty_;
};

// Whether a browser page from `origin` may connect as `role` (no Origin header: not a browser).
// chatd's own origin (the request's Host) always may; others only when listed, or "*" is.
bool origin_allowed(const config& c, std::string_view role, std::string_view origin, std::string_view host);

} // namespace chat::server
