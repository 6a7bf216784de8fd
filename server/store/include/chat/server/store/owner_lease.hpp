#pragma once
// The owner lease: one chatd at a time writes to a Redis. The owner renews a lease that runs
// out on Redis's clock; it stops writing when it cannot confirm the lease in time, so a node
// cut off from Redis never writes after another may have taken over. Each taking counts up an
// epoch kept in the lease, so a node whose lease ran out takes it back only if nobody held it
// in between. (One hash, chat:owner, until chatd runs on several nodes: then one per shard.)

#include "chat/server/redis/client.hpp"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace chat::server {

// Who holds a lease, as written in its value: "host pid nonce".
struct lease_holder {
    std::string host;
    long pid = 0;
    std::string nonce;
    std::string text() const;
    static std::optional<lease_holder> parse(std::string_view text);
    // A holder on this machine whose process is gone (or, in this process, whose incarnation
    // ended): its lease may be taken at once.
    bool dead_on_this_host() const;
    static lease_holder of_this_process();
    // The incarnations alive in this process (a chatd restarted in the same process, as tests do).
    static void alive(const std::string& nonce, bool yes);
};

class owner_lease : public std::enable_shared_from_this<owner_lease> {
public:
    struct options {
        std::chrono::milliseconds ttl{5000};
        std::chrono::milliseconds renew_every{1000};
        std::chrono::milliseconds wait{6000}; // for a live holder's lease to go, then give up
    };
    // `redis` runs on `strand`, which must be the strand the lease's timer runs on too.
    owner_lease(boost::asio::any_io_executor strand, std::shared_ptr<redis::client> redis, options opts);
    ~owner_lease();

    // Takes the lease (waiting for a holder's to lapse, up to options.wait); `done` gets an
    // error message when another live chatd keeps it. Renews from then on.
    void acquire(std::function<void(std::optional<std::string> refused)> done);
    // Gives the lease back (a clean stop lets the next node start at once).
    void release(std::function<void()> done);
    // Whether writing is safe now: the lease was confirmed recently enough that it cannot have
    // lapsed. Read from any thread.
    bool held() const;
    const std::string& key() const { return key_; }
    const lease_holder& me() const { return me_; }

private:
    using clock = std::chrono::steady_clock;
    void try_take(clock::time_point give_up, std::function<void(std::optional<std::string>)> done);
    void take(const std::string& dead_holder, clock::time_point give_up,
              std::function<void(std::optional<std::string>)> done);
    void schedule_renewal();
    void renew();
    void confirmed(clock::time_point sent);

    boost::asio::any_io_executor strand_;
    std::shared_ptr<redis::client> redis_;
    options opts_;
    std::string key_ = "chat:owner";
    lease_holder me_;
    boost::asio::steady_timer timer_;
    std::atomic<clock::rep> safe_until_{0}; // steady-clock ticks; writing stops after it
    bool lost_ = false;
    bool stopped_ = false;
    bool said_waiting_ = false;
    long long epoch_ = 0;
};

} // namespace chat::server
