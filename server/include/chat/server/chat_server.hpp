#pragma once
// The whole server wired together: threads, Redis (embedded or not), the node and its shards,
// the listener. main() and the integration tests both run it.

#include "chat/server/cluster/node.hpp"
#include "chat/server/config.hpp"
#include "chat/server/net/gateway.hpp"
#include "chat/server/redis/embedded.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

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

    // Starts Redis when embedded, moves an old data layout to shards, joins the nodes on that
    // Redis (taking the shards that fall to this one) and listens; throws when it cannot.
    server::hub::start_report start();
    unsigned short port() const { return port_; }
    std::string redis_description() const { return redis_where_; }
    cluster::node& node() { return *gw_->node; }
    server::gateway& gateway() { return *gw_; }
    const config& cfg() const { return gw_->cfg; }

    // SIGTERM: stop accepting, tell clients to reconnect, hand the shards over, then stop.
    void drain(std::chrono::milliseconds grace);
    // Stops at once (what is stored stays stored; the shards' leases lapse).
    void stop();

private:
    redis::endpoint start_redis();
    void migrate_old_layout(const shard_map& map);
    std::string node_id() const;

    boost::asio::io_context io_;
    boost::asio::thread_pool disk_{2}; // reads and writes of the file store, off the I/O threads
    std::shared_ptr<server::gateway> gw_;
    std::unique_ptr<redis::embedded_server> embedded_;
    std::shared_ptr<redis::client> redis_, bus_;
    std::shared_ptr<redis::client> leases_; // renewals never wait behind a commit (or its WAIT)
    std::shared_ptr<listener> listener_;
    std::vector<std::thread> threads_;
    std::string redis_where_;
    unsigned short port_ = 0;
    bool stopped_ = false;
};

} // namespace chat::server
