#pragma once
// One shard this node holds: its lease (taken, renewed and given back on the shard's strand),
// its store and hub once loaded, and the sessions of other nodes that take part in it.

#include "chat/server/app/hub.hpp"
#include "chat/server/cluster/lease_state.hpp"
#include "chat/server/cluster/outbox.hpp"
#include "chat/server/cluster/remote_participant.hpp"
#include "chat/server/store/shards.hpp"
#include "chat/server/webhooks/sender.hpp"

#include <boost/asio/steady_timer.hpp>

#include <map>
#include <memory>

namespace chat::server::cluster {

// What the node gives each of its shards.
struct shard_context {
    std::shared_ptr<redis::client> redis;
    std::shared_ptr<redis::client> leases; // the leases' own connection (none: `redis`)
    const server::clock* clock = nullptr;
    queue::policy policy;
    hub_limits limits;
    std::shared_ptr<hub_counters> counters;
    std::string node;   // this node's id
    std::string holder; // this process, as written in a lease: "node host pid nonce"
    lease_state::options lease;
    int replica_acks = 0; // a commit is stored once this many replicas have it
    std::chrono::milliseconds replica_timeout{1000};
    outbox::publish_fn publish;                   // to another node's inbox
    std::function<void(shard_id, const std::string& why)> lost; // the lease is gone: the node drops the shard
    // Scans again a file whose scan had no verdict when the shard was last held (none: no scanning).
    std::function<void(const attachment_record&)> rescan;
    // The webhooks: endpoints (none: no outbox) and each one's TLS settings.
    std::shared_ptr<const webhooks::config> webhooks;
    std::vector<webhooks::tls_context_ptr> webhook_tls;
};

class shard : public std::enable_shared_from_this<shard> {
public:
    shard(shard_id id, const std::string& tag, boost::asio::any_io_executor strand, const shard_context& ctx);

    shard_id id() const { return id_; }
    // Takes the lease (replacing `replaceable`, a dead process's, when not empty), then loads the
    // shard. `done` gets the epoch, or none with the lease's holder when another holds it.
    void take(std::string replaceable, std::function<void(std::optional<std::int64_t>, std::string)> done);
    // A planned handover: waits until nothing waits to be stored, then gives the lease back.
    void release(std::function<void()> done);
    // Stops at once (the lease is gone): nothing more is written or answered. On the strand.
    void drop();
    // The same, from any thread (the node stops).
    void stop();
    // Loaded, held and able to store.
    bool serving() const { return serving_.load(); }
    std::shared_ptr<server::hub> hub() const { return hub_; }
    // What loading it restored (once taken).
    const server::hub::start_report& loaded() const { return loaded_; }
    std::int64_t epoch() const { return epoch_.load(); }

    // Sessions of other nodes (on any thread).
    void remote_join(std::string node, std::uint64_t session, identity who, bool welcome, bool monitor);
    void remote_leave(std::string node, std::uint64_t session);
    void remote_request(std::string node, std::uint64_t session, std::optional<std::string> id, protocol::any_request r,
                        std::function<void()> unknown_session);
    // A node that is gone: its sessions leave.
    void forget_node(std::string node);

private:
    void on_taken(std::int64_t epoch, lease_state::clock::time_point sent,
                  std::function<void(std::optional<std::int64_t>, std::string)> done);
    void on_loaded(std::error_code ec, std::function<void(std::optional<std::int64_t>, std::string)> done);
    void arm_lease();
    void on_lease_tick();
    void renew();
    void lose(const std::string& why);
    std::string lease_value() const { return ctx_.holder + ' ' + std::to_string(lease_.epoch()); }

    shard_id id_;
    shard_keys keys_;
    boost::asio::any_io_executor strand_;
    const shard_context& ctx_;
    lease_state lease_;
    boost::asio::steady_timer lease_timer_;
    std::shared_ptr<server::store> store_;
    std::shared_ptr<server::store> lease_store_; // on the leases' connection
    std::shared_ptr<server::hub> hub_;
    std::shared_ptr<webhooks::sender> webhook_sender_; // while it is held and loaded
    outbox outbox_;
    std::map<std::pair<std::string, std::uint64_t>, std::shared_ptr<remote_participant>> remote_;
    std::atomic<bool> serving_{false};
    std::atomic<std::int64_t> epoch_{0};
    bool dropped_ = false;
    server::hub::start_report loaded_;
};

} // namespace chat::server::cluster
