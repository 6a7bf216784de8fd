#pragma once
// One asynchronous Redis connection: hiredis driven by Asio on the caller's strand, every
// request with its own deadline, reconnecting with backoff when the server goes away.

#include "chat/server/redis/value.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

struct redisAsyncContext;

namespace chat::server::redis {

class cluster_routes;

// Where Redis is: a unix socket, host and port, or the master the Sentinels name; and which database.
struct endpoint {
    struct address {
        std::string host;
        int port = 0;
    };
    std::string unix_path;
    std::string host = "127.0.0.1";
    int port = 6379;
    int db = 0;
    std::vector<address> sentinels; // not empty: ask them where `master` is
    std::string master;
    std::vector<address> cluster; // not empty: a Redis Cluster, reached through these nodes
    bool via_sentinel() const { return !sentinels.empty(); }
    bool via_cluster() const { return !cluster.empty(); }
    std::string describe() const;
};

// Parses redis://host:port/db, unix:///path/to/socket,
// redis-sentinel://host:port,host:port/MASTER[/db] or redis-cluster://host:port,host:port.
std::optional<endpoint> parse_url(std::string_view url);

class client : public std::enable_shared_from_this<client> {
public:
    using replies = std::vector<value>;
    using handler = std::function<void(std::error_code, replies)>;

    struct options {
        std::chrono::milliseconds request_timeout{2000};
        std::chrono::milliseconds backoff_min{50};
        std::chrono::milliseconds backoff_max{2000};
        // An idle connection is PINGed this often, so that a Redis that stopped answering is
        // noticed (and /readyz follows) without waiting for the next request.
        std::chrono::milliseconds health_every{1000};
    };

    // `executor` must be a strand: every call and every handler runs on it.
    client(boost::asio::any_io_executor executor, endpoint where, options opts);
    client(boost::asio::any_io_executor executor, endpoint where)
        : client(std::move(executor), std::move(where), options{}) {}
    ~client();
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    void start();
    const boost::asio::any_io_executor& executor() const { return executor_; }
    // Fails what is pending with `stopped` and disconnects for good.
    void stop();
    // Up once Redis answered a PING on this connection, until a request fails or times out
    // (on a Cluster: once the slot map is known and every master answers).
    bool connected() const { return up_; }
    // Called on the strand whenever the connection comes up or goes down. Set from any thread.
    void on_state_change(std::function<void(bool up)> f);

    // Sends the commands as one pipeline; `done` gets one reply per command, in order, or an
    // error for the whole pipeline (whose effect on the server is then unknown). From any
    // thread; `done` runs on the client's strand.
    void exec(std::vector<command> commands, handler done);
    // Pipelines exec() has sent so far (each one round trip, or one per master on a Cluster).
    std::uint64_t requests_sent() const { return requests_sent_.load(std::memory_order_relaxed); }

    // Subscriber mode, set before start(): each time the connection comes up it subscribes to
    // `channels` and hands every message to `on_message` (on the strand); it sends nothing
    // else. Up once every subscription is confirmed.
    using message_handler = std::function<void(std::string_view channel, std::string_view payload)>;
    void subscribe(std::vector<std::string> channels, message_handler on_message);
    // Drops the connection and connects again: a subscriber whose messages stopped arriving.
    void reconnect();

private:
    struct batch;
    static void on_reply(redisAsyncContext* ac, void* reply, void* privdata);
    static void on_push(redisAsyncContext* ac, void* reply, void* privdata);
    void drop_connection(const char* why);
    // Via Sentinel: this connection is not to the master (any more).
    void not_master(const char* why);
    static void on_connect(const redisAsyncContext* ac, int status);
    static void on_disconnect(const redisAsyncContext* ac, int status);
    static void add_read(void* self);
    static void del_read(void* self);
    static void add_write(void* self);
    static void del_write(void* self);
    static void cleanup(void* self);

    void connect();
    // Sentinel: asks the `i`-th Sentinel (then the next) where the master is, then connects.
    void ask_sentinel(std::size_t i);
    void master_found(endpoint::address at);
    void start_routes();
    void attach();
    void went_down();
    void schedule_reconnect();
    void wait_readable();
    void wait_writable();
    void arm_deadline();
    void fail_in_flight(std::error_code ec);
    void finish(batch* b);
    void submit(std::vector<command> commands, handler done);
    void exec_here(std::vector<command> commands, handler done);
    void came_up();
    void arm_health_check();

    boost::asio::any_io_executor executor_;
    endpoint where_;
    std::optional<endpoint::address> master_; // via Sentinel: where the master is, once asked
    std::shared_ptr<client> asking_;           // the Sentinel being asked
    std::shared_ptr<cluster_routes> routes_;   // on a Cluster: commands go through it
    std::size_t seed_turn_ = 0;                // on a Cluster, a subscriber's next node to try
    options opts_;
    redisAsyncContext* ctx_ = nullptr;
    std::unique_ptr<boost::asio::posix::stream_descriptor> socket_;
    bool reading_ = false, read_waiting_ = false;
    bool writing_ = false, write_waiting_ = false;
    std::atomic<bool> up_{false};
    std::atomic<std::uint64_t> requests_sent_{0};
    bool stopped_ = false;
    unsigned generation_ = 0;
    std::chrono::milliseconds backoff_;
    boost::asio::steady_timer reconnect_timer_;
    boost::asio::steady_timer deadline_timer_;
    boost::asio::steady_timer health_timer_;
    std::chrono::steady_clock::time_point down_since_{};
    bool was_ever_up_ = false;
    std::deque<batch*> in_flight_;
    std::function<void(bool)> on_state_;
    std::vector<std::string> channels_; // subscriber mode when not empty
    message_handler on_message_;
    std::size_t confirmed_ = 0;
};

} // namespace chat::server::redis
