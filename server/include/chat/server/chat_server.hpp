#pragma once
// The whole server wired together: threads, Redis (embedded or not), store, hub, listener.
// main() and the integration tests both run it.

#include "chat/server/config.hpp"
#include "chat/server/net/gateway.hpp"
#include "chat/server/redis/embedded.hpp"
#include "chat/server/store/owner_lease.hpp"

#include <boost/asio/io_context.hpp>

#include <memory>
#include <thread>
#include <vector>

namespace chat::server {

class listener;

class chat_server {
public:
    chat_server(config cfg, const server::clock& clock);
    ~chat_server();
    chat_server(const chat_server&) = delete;
    chat_server& operator=(const chat_server&) = delete;

    // Starts Redis when embedded, restores the state and listens; throws when it cannot.
    server::hub::start_report start();
    unsigned short port() const { return port_; }
    std::string redis_description() const { return redis_where_; }
    server::hub& the_hub() { return *gw_->hub; }
    server::gateway& gateway() { return *gw_; }
    const config& cfg() const { return gw_->cfg; }

    // SIGTERM: stop accepting, tell clients to reconnect, finish writes, then stop.
    void drain(std::chrono::milliseconds grace);
    // Stops at once (what is stored stays stored).
    void stop();

private:
    boost::asio::io_context io_;
    boost::asio::any_io_executor strand_; // the hub's and the Redis client's
    std::shared_ptr<server::gateway> gw_;
    std::unique_ptr<redis::embedded_server> embedded_;
    std::shared_ptr<redis::client> redis_;
    std::shared_ptr<owner_lease> lease_;
    std::shared_ptr<listener> listener_;
    std::vector<std::thread> threads_;
    std::string redis_where_;
    unsigned short port_ = 0;
    bool stopped_ = false;
};

} // namespace chat::server
