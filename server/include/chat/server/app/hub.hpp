#pragma once
// The hub: the core on one strand, and everything the server does around one event: check
// who may do it, ask the core, store the outcome in Redis as one step, and only then tell
// everyone concerned. Sessions talk to it through participant; it never sees a socket.

#include "chat/protocol/codec.hpp"
#include "chat/protocol/events.hpp"
#include "chat/queue/core.hpp"
#include "chat/server/app/clock.hpp"
#include "chat/server/app/commit_pipeline.hpp"
#include "chat/server/app/participant.hpp"
#include "chat/server/app/rate_limiter.hpp"
#include "chat/server/app/team_stats.hpp"
#include "chat/server/store/store.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>

namespace chat::server {

struct hub_limits {
    std::size_t max_queue = 10000;         // waiting conversations, all tenants; opens beyond are refused
    double customer_messages_per_second = 5; // per customer, across their connections
    double customer_message_burst = 20;
    std::size_t history_page = 1000;       // messages per history reply
    queue::duration survey_wait = std::chrono::hours(24 * 7); // a closed conversation awaits its survey
};

// Refusals by error code, for /metrics: every code of the protocol's table, and "other".
struct refusal_counts {
    static constexpr std::array<std::string_view, 26> codes{
        "bad_json", "not_an_object", "too_deep", "too_large", "unknown_type", "bad_field", "binary_refused",
        "not_authenticated", "bad_token", "wrong_role", "origin_refused", "rate_limited", "unavailable",
        "queue_full", "unknown_conversation", "not_allowed", "illegal_transition", "over_capacity", "no_offer",
        "no_proposal", "invalid_argument", "restricted", "too_many_open", "expired", "already_exists", "other"};
    std::array<std::atomic<std::uint64_t>, codes.size()> counts{};
    void count(std::string_view code) {
        std::size_t i = 0;
        while (i + 1 < codes.size() && codes[i] != code) ++i;
        ++counts[i];
    }
};

// Counters for /metrics, read from any thread.
struct hub_counters {
    std::atomic<std::uint64_t> connections{0}, opened{0}, offers{0}, assignments{0}, sla_breaches{0},
        messages{0}, commits{0}, committed_steps{0}, commit_failures{0}, refused{0};
    std::atomic<std::uint64_t> commit_micros_total{0};
    std::array<std::atomic<std::uint64_t>, 8> commit_latency_buckets{}; // <=0.5,1,2,5,10,50,250 ms, +Inf
    refusal_counts refusals;
    // Every refusal, by the connection or by the hub, goes through here.
    void refused_by_code(std::string_view code) {
        ++refused;
        refusals.count(code);
    }
};

class hub : public std::enable_shared_from_this<hub> {
public:
    // `strand` must be a strand: the core and all of the hub's state live on it.
    hub(boost::asio::any_io_executor strand, std::shared_ptr<server::store> store, const server::clock& clock,
        queue::policy policy, hub_limits limits = {});

    struct start_report {
        std::size_t conversations = 0, experts = 0, timers = 0, skipped = 0;
        std::chrono::milliseconds took{};
        std::chrono::milliseconds redis_loading{}; // of `took`: waiting for Redis to load its data
    };
    // Loads the state from Redis, restores the core and fires what fell due meanwhile.
    void start(std::function<void(std::error_code, start_report)> ready);
    void stop();
    bool ready() const { return ready_.load(); }
    // Ready and able to store (Redis up, the owner lease held): what /readyz reports.
    bool serving() const { return ready_.load() && store_->writable(); }
    // Nothing waits to be stored or told (for draining).
    bool idle() const { return !busy_.load(); }
    // Runs `f` on the strand once idle, or once Redis is down (then nothing more can be stored).
    void when_idle(std::function<void()> f);

    // Called from sessions on any thread; the work is posted onto the hub's strand.
    void join(std::shared_ptr<participant> p, std::optional<std::string> request_id);
    void leave(std::shared_ptr<participant> p);
    void handle(std::shared_ptr<participant> p, std::optional<std::string> request_id, protocol::any_request r);
    // A manual clock moved: fire what is due now.
    void time_moved();

    // The read API; `done` runs on the hub's strand.
    void read_queue(std::string tenant, std::function<void(nlohmann::json)> done);
    void read_experts(std::string tenant, std::function<void(nlohmann::json)> done);
    void read_conversation(identity who, std::string id, std::function<void(int status, nlohmann::json)> done);
    void read_metrics(std::function<void(std::string)> done);

    hub_counters& counters() { return counters_; }
    const queue::core& core() const { return core_; } // for tests, on the strand only

private:
    using to = outgoing::to;
    using session_ptr = std::shared_ptr<participant>;

    // hub.cpp: lifecycle, storing and delivering
    void load(std::chrono::steady_clock::time_point began, std::function<void(std::error_code, start_report)> ready);
    void on_loaded(loaded_state state, std::chrono::steady_clock::time_point began,
                   std::function<void(std::error_code, start_report)> ready);
    // Hands the step to the group commit, and carries out what the pipeline answers.
    void finish(step s);
    void carry_out(commit_pipeline::action a);
    void write(const pending_write& w);
    void count_commit(std::chrono::steady_clock::time_point started, std::size_t steps);
    write_batch build(const pending_write& w);
    void delivered(step& s);
    void send(const outgoing& o);
    void send_message(const session_ptr& p, const outgoing& o);
    void check_idle();
    bool degraded() const { return pipeline_.degraded() || !store_->available(); }
    void arm_timer();
    void on_timer();
    void sweep(queue::instant now);
    bool done_with(const queue::conversation& c, queue::instant now) const;

    // hub_requests.cpp: one handler per request type
    void do_join(const session_ptr& p, const std::optional<std::string>& id);
    void do_leave(const session_ptr& p);
    void dispatch(const session_ptr& p, const std::optional<std::string>& id, protocol::any_request& r);
    void on(const session_ptr&, const std::optional<std::string>&, protocol::request::hello&);
    void on(const session_ptr&, const std::optional<std::string>&, protocol::request::open&);
    void on(const session_ptr&, const std::optional<std::string>&, protocol::request::send&);
    void on(const session_ptr&, const std::optional<std::string>&, protocol::request::typing&);
    void on(const session_ptr&, const std::optional<std::string>&, protocol::request::hold&);
    void on(const session_ptr&, const std::optional<std::string>&, protocol::request::resume&);
    void on(const session_ptr&, const std::optional<std::string>&, protocol::request::close&);
    void on(const session_ptr&, const std::optional<std::string>&, protocol::request::stay_request&);
    void on(const session_ptr&, const std::optional<std::string>&, protocol::request::stay_accept&);
    void on(const session_ptr&, const std::optional<std::string>&, protocol::request::survey&);
    void on(const session_ptr&, const std::optional<std::string>&, protocol::request::history&);
    void on(const session_ptr&, const std::optional<std::string>&, protocol::request::presence&);
    void on(const session_ptr&, const std::optional<std::string>&, protocol::request::capacity&);
    void on(const session_ptr&, const std::optional<std::string>&, protocol::request::accept&);
    void on(const session_ptr&, const std::optional<std::string>&, protocol::request::decline&);
    void on(const session_ptr&, const std::optional<std::string>&, protocol::request::hand_off&);
    void on(const session_ptr&, const std::optional<std::string>&, protocol::request::stay_propose&);
    void on(const session_ptr&, const std::optional<std::string>&, protocol::request::mark_duplicate&);
    void on(const session_ptr&, const std::optional<std::string>&, protocol::request::escalate&);
    void on(const session_ptr&, const std::optional<std::string>&, protocol::request::report_conduct&);
    void on(const session_ptr&, const std::optional<std::string>&, protocol::request::subscribe&);
    void on(const session_ptr&, const std::optional<std::string>&, protocol::request::ping&);
    void on(const session_ptr&, const std::optional<std::string>&, protocol::request::earlier&);
    void on(const session_ptr&, const std::optional<std::string>&, protocol::request::skills&);
    void on(const session_ptr&, const std::optional<std::string>&, protocol::request::auto_accept&);
    void open(const session_ptr& p, const std::optional<std::string>& id, protocol::request::open& r,
              std::optional<queue::continued> continues);
    // Runs a core call for the session, stores its outcome, then acks (or refuses).
    template <class Call>
    void decide(const session_ptr& p, const std::optional<std::string>& id, const std::string& conversation, Call&& call);
    void message(const session_ptr& p, const std::optional<std::string>& id, const std::string& conversation,
                 const std::string& text, const std::string& client_id);
    // After a restore the core may need a conversation's recent messages to tell a retry from a
    // new message: reads their streams' tails, lets the core learn them, then runs `then`.
    void learn_recent_then(const session_ptr& p, const std::optional<std::string>& id,
                           std::vector<std::string> conversations, std::function<void()> then);
    static bool may_read(const identity& who, const queue::conversation& c);
    static bool may_read(const participant& p, const queue::conversation& c) { return may_read(p.who(), c); }
    void refuse(const session_ptr& p, const std::optional<std::string>& id, std::string_view code, std::string message);
    void refuse(const session_ptr& p, const std::optional<std::string>& id, std::error_code ec);
    void ack(step& s, const session_ptr& p, const std::optional<std::string>& id,
             std::optional<std::string> conversation = std::nullopt, std::optional<std::uint64_t> seq = std::nullopt,
             std::optional<queue::instant> at = std::nullopt);

    // hub_events.cpp: from the core's outcome to writes and frames
    void record(step& s, const queue::outcome& out);
    void notify_effect(step& s, const queue::any_effect& e);
    void snapshot_to_parties(step& s, const queue::conversation& c);
    // Who a snapshot is for: staff see what experts keep for each other (hand-off notes, skills).
    enum class audience : std::uint8_t { customer, staff };
    static audience audience_of(const identity& who) {
        return who.role == protocol::role::customer ? audience::customer : audience::staff;
    }
    protocol::event::conversation snapshot(const queue::conversation& c, audience a) const;
    std::vector<protocol::event::hand_off_card> hand_off_cards(const queue::conversation& c) const;
    std::string user_of(const queue::conversation& c, const std::string& expert) const;
    void to_customer(step& s, const queue::customer& who, frame f);
    void to_expert(step& s, const std::string& expert, frame f);
    void to_monitors(step& s, const std::string& tenant, frame f);
    std::string display_name(const std::optional<std::string>& expert) const;

    // hub_monitor.cpp: the live queue and expert board
    nlohmann::json queue_entry(const queue::conversation& c, queue::instant now) const;
    nlohmann::json board_entry(const queue::expert& x) const;
    nlohmann::json queue_of(const std::string& tenant, queue::instant now) const;
    nlohmann::json board_of(const std::string& tenant) const;
    nlohmann::json tiers_of(const std::string& tenant, queue::instant now) const;
    void monitor_delta(step& s, const queue::outcome& out);
    // Feeds the per-tenant minute figures; returns the tenants whose figures changed.
    std::set<std::string> collect_stats(const queue::outcome& out, queue::instant now);
    nlohmann::json stats_of(const std::string& tenant, queue::instant now);
    static constexpr std::size_t earlier_shown = 20;

    boost::asio::any_io_executor strand_;
    std::shared_ptr<server::store> store_;
    const server::clock& clock_;
    hub_limits limits_;
    queue::core core_;
    std::unordered_map<std::string, team_stats> stats_; // tenant

    std::unordered_map<std::string, std::set<session_ptr>> customers_; // tenant/user
    std::unordered_map<std::string, std::set<session_ptr>> experts_;   // expert id
    std::unordered_map<std::string, std::set<session_ptr>> monitors_;  // tenant
    std::unordered_map<std::string, rate_limiter> customer_rates_;
    std::unordered_map<std::string, std::set<std::string>> by_customer_; // tenant/user -> live conversations
    // Per session and conversation: the last message sequence sent, and messages held back
    // while a history replay is in flight (delivered after it, without repeats).
    struct message_cursor {
        std::uint64_t sent = 0;
        bool replaying = false;
        std::vector<std::pair<std::uint64_t, frame>> held;
    };
    std::map<std::pair<participant*, std::string>, message_cursor> cursors_;

    commit_pipeline pipeline_;
    std::chrono::steady_clock::time_point failing_since_{}; // the first failed commit of an outage
    boost::asio::steady_timer timer_;
    std::optional<queue::instant> timer_due_; // the core's deadline timer_ waits for
    boost::asio::steady_timer recovery_timer_;
    std::vector<std::function<void()>> idle_waiters_;
    std::atomic<bool> ready_{false};
    std::atomic<bool> busy_{false}; // the pipeline is not idle (read by drain, from another thread)
    bool stopped_ = false;
    queue::instant last_sweep_{};
    std::chrono::milliseconds redis_loading_{};
    hub_counters counters_;
};

} // namespace chat::server
