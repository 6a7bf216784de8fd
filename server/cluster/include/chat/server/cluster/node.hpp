#pragma once
// One chatd among several on the same Redis. Any node serves any client; each shard of tenants
// has one owner at a time. The node:
//  - says it is alive on the cluster channel and hears who else is (membership);
//  - takes the shards it ranks first for (rendezvous) when they are free, renews their leases,
//    gives back those another live node now ranks first for, and takes over the shards of a
//    node that died once their leases lapse (shard);
//  - for each session connected here, joins it at its shard's owner (its own hub or another
//    node's) and forwards its requests there; what the owner tells it comes back over the bus
//    and goes through the session's feed, by seq (router part, node_sessions.cpp);
//  - when a shard changes hands, or a notification may have been lost, joins its sessions of
//    that shard again and reads what they missed from the streams.
// With one node it owns every shard, and the same code runs.

#include "chat/server/app/participant.hpp"
#include "chat/server/cluster/membership.hpp"
#include "chat/server/cluster/shard.hpp"
#include "chat/server/store/shards.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <unordered_map>

namespace chat::server::cluster {

struct node_options {
    std::string id;           // unique among the nodes (default: host:port)
    std::size_t shards = shard_map::default_count;
    lease_state::options lease;
    std::chrono::milliseconds heartbeat_every{500};
    std::chrono::milliseconds silence{3000};          // a node not heard this long is gone
    std::chrono::milliseconds settle{2000};           // a node alive this long gets its shards back
    std::chrono::milliseconds forward_timeout{5000};  // a forwarded request unanswered this long: unavailable
    std::size_t history_page = 1000;
};

// How the node is doing, for /readyz and /metrics.
struct node_report {
    std::string id;
    bool ready = false;
    bool redis_up = false, bus_up = false;
    std::size_t nodes_alive = 0, shards = 0, shards_owned = 0, shards_unowned = 0;
    std::uint64_t takeovers = 0, releases = 0, forwarded = 0, taken_in = 0, forward_timeouts = 0, fenced = 0, bus_gaps = 0,
                  bus_dropped = 0, resyncs = 0;
    double bus_lag_ms = 0; // the last heartbeat's time from publish to delivery, of this node's own
};

class node : public std::enable_shared_from_this<node> {
public:
    node(boost::asio::io_context& io, std::shared_ptr<redis::client> redis, std::shared_ptr<redis::client> bus,
         shard_context ctx, node_options opts);
    ~node();

    // Loads the functions, then takes part: `ready` once every shard has an owner (or after a
    // few lease TTLs, whatever happened), with an error when Redis cannot be used, and what
    // the shards taken by then restored.
    using ready_handler = std::function<void(std::error_code, server::hub::start_report)>;
    void start(ready_handler ready);
    // SIGTERM: hands every shard over (each finishes its writes, then gives its lease back).
    void hand_over(std::function<void()> done);
    void stop();

    // The gateway's side, from any thread.
    void join(std::shared_ptr<participant> p);
    void leave(std::shared_ptr<participant> p);
    void handle(std::shared_ptr<participant> p, std::optional<std::string> id, protocol::any_request r,
                std::string frame);
    // The HTTP API for `who`'s tenant, answered by the shard's owner (this node or another);
    // `done` runs on some thread of the node. `arg`: the conversation (conversation), the
    // attachment id (attachment), {"conversation", "size"} (attach_check), an attach_request (attach),
    // {"attachment", "state"} (scanned), {"from", "to", "limit"?} (audit), {"limit"?} (dead_letters),
    // a dead letter's id (replay), {"ticket", "body"} from an endpoint whose signature was checked (ticket_status).
    enum class read_kind : std::uint8_t { queue, experts, conversation, attach_check, attach, attachment, scanned, audit,
                                          dead_letters, replay, ticket_status };
    void read(identity who, read_kind kind, std::string arg, std::function<void(int, nlohmann::json)> done);
    // /metrics: the node's counters and figures, and its hubs' lines.
    void read_metrics(std::function<void(std::string)> done);
    // The hub of a tenant's shard when this node owns it, else none.
    std::shared_ptr<server::hub> hub_of(const std::string& tenant) const;
    // Every hub this node runs.
    std::vector<std::shared_ptr<server::hub>> hubs() const;
    // A store for `tenant`'s shard answering on `home` (sessions read history themselves).
    std::shared_ptr<server::store> store_for(const std::string& tenant, boost::asio::any_io_executor home) const;
    // A manual clock moved (tests).
    void time_moved();

    node_report report() const;
    // Serving: every shard has a live owner, this node's are loaded, Redis and the bus are up.
    bool ready() const { return ready_.load() && bus_up_.load() && redis_->connected(); }
    const shard_map& shards() const { return map_; }
    const std::string& id() const { return opts_.id; }

private:
    struct owner {
        std::string node; // empty: nobody
        std::int64_t epoch = 0;
        std::string holder; // the lease's holder text (to replace a dead process's)
    };
    struct local_session; // local_session.hpp

    // node.cpp: lifecycle, ticks, reports
    void on_functions(std::error_code ec);
    void tick();
    void arm_tick();
    void check_ready();
    // node_shards.cpp: taking, giving back and dropping shards; the owner table
    void refresh_owners();
    void on_owners(std::vector<owner> found);
    void place();
    void take(shard_id s, std::string replaceable);
    void on_take(shard_id s, std::optional<std::int64_t> epoch, std::string held_by);
    void give_back(shard_id s);
    void on_lost(shard_id s, const std::string& why);
    // Leaving, with no shard left: the hand-over is done.
    void maybe_handed_over();
    void set_owner(shard_id s, owner o);
    bool owns(shard_id s) const;
    // node_bus.cpp: what nodes tell each other
    void heartbeat();
    void on_bus(std::string_view channel, std::string_view payload);
    void on_cluster_message(std::string_view payload);
    void on_inbox(std::string_view payload);
    void on_frames(bus_reader& r);
    void on_join(bus_reader& r);
    void on_request(bus_reader& r);
    void publish(const std::string& channel, std::string payload);
    void to_node(const std::string& node, std::string payload);
    void announce(char what, shard_id s, std::int64_t epoch);
    void on_bus_state(bool up);
    void node_gone(const std::string& node);
    // node_sessions.cpp: the sessions connected here
    void attach(local_session& s);
    void reattach_shard(shard_id shard);
    void forward(local_session& s, std::optional<std::string> id, protocol::any_request request, std::string frame);
    // A forwarded request refused unprocessed (or unheard): the session joins again, then it is sent again.
    void resend_later(std::uint64_t session, const std::string& id, std::chrono::milliseconds after);
    void deliver_entry(local_session& s, char kind, std::string_view conversation, std::uint64_t seq, std::string_view text);
    void expire_pending();
    void answer_unavailable(local_session& s, const std::string& id, const char* why);
    // node_reads.cpp: the read API across nodes
    void read_here(const std::shared_ptr<server::hub>& h, const identity& who, read_kind kind, const std::string& id,
                   std::function<void(int, nlohmann::json)> done);
    void on_query(bus_reader& r);
    void on_answer(bus_reader& r);
    void expire_queries();
    std::string node_metrics() const;

    boost::asio::io_context& io_;
    boost::asio::any_io_executor strand_; // the node's own state
    std::shared_ptr<redis::client> redis_, bus_;
    shard_context ctx_;
    node_options opts_;
    shard_map map_;
    std::string incarnation_;
    std::string inbox_; // this node's channel
    membership members_;
    std::vector<owner> owners_;                              // by shard, as last known
    std::vector<std::shared_ptr<shard>> mine_;               // by shard: held (or being taken) here
    std::vector<std::uint8_t> taking_;                       // by shard: a taking is in flight
    std::vector<lease_state::clock::time_point> free_since_; // by shard: when it was first seen ownerless
    std::map<std::pair<std::string, shard_id>, std::uint64_t> links_; // the last link seq heard per owner and shard
    std::unordered_map<std::uint64_t, std::unique_ptr<local_session>> sessions_;
    std::unordered_map<const participant*, std::uint64_t> session_of_;
    std::uint64_t next_session_ = 0;
    struct query {
        std::function<void(int, nlohmann::json)> done;
        lease_state::clock::time_point deadline;
    };
    std::unordered_map<std::uint64_t, query> queries_; // read API requests sent to another node
    std::uint64_t next_query_ = 0;
    boost::asio::steady_timer tick_timer_;
    lease_state::clock::time_point last_heard_self_{}, started_{}, last_release_{};
    ready_handler on_ready_;
    std::function<void()> on_handed_over_;
    std::atomic<bool> ready_{false}, stopping_{false}, bus_up_{false};
    bool leaving_ = false, owners_known_ = false;
    server::hub::start_report restored_;
    mutable std::mutex hubs_mutex_; // guards `hubs_` for readers on other threads
    std::vector<std::shared_ptr<server::hub>> hubs_; // by shard: serving here, else null
    struct counters {
        std::atomic<std::uint64_t> takeovers{0}, releases{0}, forwarded{0}, taken_in{0}, forward_timeouts{0}, fenced{0}, bus_gaps{0},
            bus_dropped{0}, resyncs{0};
        std::atomic<long long> bus_lag_us{0};
        std::atomic<std::size_t> owned{0}, unowned{0}, alive{0};
    } counts_;
};

} // namespace chat::server::cluster
