#pragma once
// The hub: the core on one strand, and everything the server does around one event: check
// who may do it, ask the core, store the outcome in Redis as one step, and only then tell
// everyone concerned. Sessions talk to it through participant; it never sees a socket. Its
// parts: the group commit (commit_pipeline), who is connected (audience), what each decision
// means for whom (notifications) and the monitors' view (monitor_feed). What each session is
// sent, by seq and in order, is the session's own business (session_feed).

#include "chat/protocol/codec.hpp"
#include "chat/protocol/events.hpp"
#include "chat/queue/core.hpp"
#include "chat/server/app/audience.hpp"
#include "chat/server/app/clock.hpp"
#include "chat/server/app/commit_pipeline.hpp"
#include "chat/server/app/counters.hpp"
#include "chat/server/app/limits.hpp"
#include "chat/server/app/metrics.hpp"
#include "chat/server/app/monitor_feed.hpp"
#include "chat/server/app/notifications.hpp"
#include "chat/server/app/participant.hpp"
#include "chat/server/app/rate_limiter.hpp"
#include "chat/server/store/store.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <memory>
#include <random>
#include <set>
#include <unordered_map>
#include <variant>

namespace chat::server {

// What the node that runs a hub tells it, and hears from it.
struct hub_hooks {
    std::function<void()> fenced; // a commit was refused: another node holds the shard now
    std::set<std::string> webhook_events; // the event types some webhook takes (none: no outbox)
    std::function<void()> webhooks_written; // a commit stored webhook events: the shard's sender has work
};

class hub : public std::enable_shared_from_this<hub> {
public:
    // `strand` must be a strand: the core and all of the hub's state live on it. `counters`
    // are the node's, shared by its hubs.
    hub(boost::asio::any_io_executor strand, std::shared_ptr<server::store> store, const server::clock& clock,
        queue::policy policy, hub_limits limits, std::shared_ptr<hub_counters> counters, hub_hooks hooks = {});

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

    // Redis went away or came back (the node relays its client's state to each hub).
    void redis_state(bool up);

    // Called from sessions on any thread; the work is posted onto the hub's strand.
    void join(std::shared_ptr<participant> p, std::optional<std::string> id);
    // A session already welcomed (by this hub's shard under another owner): registered again,
    // told the state of what it sees, its monitor subscription renewed; no welcome.
    void rejoin(std::shared_ptr<participant> p, bool monitor);
    void leave(std::shared_ptr<participant> p);
    void handle(std::shared_ptr<participant> p, std::optional<std::string> id, protocol::any_request r);
    // A manual clock moved: fire what is due now.
    void time_moved();

    // The read API; `done` runs on the hub's strand.
    void read_queue(std::string tenant, std::function<void(nlohmann::json)> done);
    void read_experts(std::string tenant, std::function<void(nlohmann::json)> done);
    void read_conversation(identity who, std::string id, std::function<void(int status, nlohmann::json)> done);
    void read_line(std::function<void(line_summary)> done);

    // Files in the chat, for the HTTP API; `done` runs on the hub's strand with a status and JSON.
    using reply_handler = std::function<void(int status, nlohmann::json)>;
    // Whether `who` may send a file of `size` bytes in `conversation` now (asked before the bytes come).
    void check_attach(identity who, std::string conversation, std::uint64_t size, reply_handler done);
    // A stored file (an attach_request as JSON) sent as `who`'s next message.
    void attach(identity who, std::string request, reply_handler done);
    // An attachment's record, if `who` may download it (else 404).
    void read_attachment(identity who, std::string id, reply_handler done);
    // The tenant's audit log for a team lead: {"from", "to", "limit"?} (ISO instants) as JSON.
    void read_audit(identity who, std::string query, reply_handler done);
    // hub_webhooks.cpp, for a team lead: the tenant's webhook dead letters ({"limit"?}), and
    // one put back to be delivered again (its id).
    void read_dead_letters(identity who, std::string query, reply_handler done);
    void replay_dead_letter(identity who, std::string id, reply_handler done);
    // hub_tickets.cpp: what the ticket system reports of a ticket, through the endpoint `who`
    // (subject: "webhook:NAME", its signature checked), as {"ticket", "body"}: the body's status
    // and public comment stored and told to the customer; 200 once stored.
    void update_ticket(identity who, std::string report, reply_handler done);
    // A scan's verdict ({"attachment", "state": clean | quarantined}) stored and told to the conversation's parties.
    void scanned(identity who, std::string verdict, reply_handler done);

    hub_counters& counters() { return *counters_; }
    const queue::core& core() const { return core_; } // for tests, on the strand only

private:
    using session_ptr = std::shared_ptr<participant>;
    using request_id = std::optional<std::string>;
    using to = outgoing::to;

    // hub.cpp: lifecycle and time
    void load(std::chrono::steady_clock::time_point began, std::function<void(std::error_code, start_report)> ready);
    void on_loaded(loaded_state state, std::chrono::steady_clock::time_point began,
                   std::function<void(std::error_code, start_report)> ready);
    void check_idle();
    void arm_timer();
    void on_timer();
    void sweep(queue::instant now);
    bool done_with(const queue::conversation& c, queue::instant now) const;

    // hub_commit.cpp: storing each step, then telling it
    void finish(step s);
    void carry_out(commit_pipeline::action a);
    void write(const pending_write& w);
    void on_written(std::error_code ec, std::chrono::steady_clock::time_point started, std::size_t steps);
    write_batch build(const pending_write& w);
    void delivered(step& s);
    void send(const outgoing& o);
    bool degraded() const { return pipeline_.degraded() || !store_->writable(); }
    // What an outcome means: what to store, what to tell, and the monitors' deltas.
    void record(step& s, const queue::outcome& out);

    // hub_sessions.cpp: who is connected
    void do_join(const session_ptr& p, bool welcome, bool monitor);
    void do_leave(const session_ptr& p);
    void join_customer(const session_ptr& p, protocol::event::welcome& welcome, step& s);
    void join_expert(const session_ptr& p, protocol::event::welcome& welcome, step& s);

    // hub_requests.cpp: one handler per request type, each thin over decide()
    void dispatch(const session_ptr& p, const request_id& id, protocol::any_request& r);
    void on(const session_ptr&, const request_id&, protocol::request::hello&);
    void on(const session_ptr&, const request_id&, protocol::request::open&);
    void on(const session_ptr&, const request_id&, protocol::request::send&);
    void on(const session_ptr&, const request_id&, protocol::request::offer_call&);
    void on(const session_ptr&, const request_id&, protocol::request::typing&);
    void on(const session_ptr&, const request_id&, protocol::request::hold&);
    void on(const session_ptr&, const request_id&, protocol::request::resume&);
    void on(const session_ptr&, const request_id&, protocol::request::close&);
    void on(const session_ptr&, const request_id&, protocol::request::stay_request&);
    void on(const session_ptr&, const request_id&, protocol::request::stay_accept&);
    void on(const session_ptr&, const request_id&, protocol::request::survey&);
    void on(const session_ptr&, const request_id&, protocol::request::history&);
    void on(const session_ptr&, const request_id&, protocol::request::presence&);
    void on(const session_ptr&, const request_id&, protocol::request::capacity&);
    void on(const session_ptr&, const request_id&, protocol::request::accept&);
    void on(const session_ptr&, const request_id&, protocol::request::decline&);
    void on(const session_ptr&, const request_id&, protocol::request::hand_off&);
    void on(const session_ptr&, const request_id&, protocol::request::stay_propose&);
    void on(const session_ptr&, const request_id&, protocol::request::mark_duplicate&);
    void on(const session_ptr&, const request_id&, protocol::request::escalate&);
    void on(const session_ptr&, const request_id&, protocol::request::classify&);
    void on(const session_ptr&, const request_id&, protocol::request::report_conduct&);
    void on(const session_ptr&, const request_id&, protocol::request::subscribe&);
    void on(const session_ptr&, const request_id&, protocol::request::ping&);
    void on(const session_ptr&, const request_id&, protocol::request::earlier&);
    void on(const session_ptr&, const request_id&, protocol::request::skills&);
    void on(const session_ptr&, const request_id&, protocol::request::auto_accept&);
    void on(const session_ptr&, const request_id&, protocol::request::note&);
    void on(const session_ptr&, const request_id&, protocol::request::notes&);
    // hub_leads.cpp: transfers, asking a lead, and the team leads' controls
    void on(const session_ptr&, const request_id&, protocol::request::transfer&);
    void on(const session_ptr&, const request_id&, protocol::request::ask_lead&);
    void on(const session_ptr&, const request_id&, protocol::request::reassign&);
    void on(const session_ptr&, const request_id&, protocol::request::take_over&);
    void on(const session_ptr&, const request_id&, protocol::request::set_expert&);
    void on(const session_ptr&, const request_id&, protocol::request::restriction&);
    void on(const session_ptr&, const request_id&, protocol::request::unwatch&);
    void on(const session_ptr&, const request_id&, protocol::request::join&);
    // hub_answers.cpp: saved answers
    void on(const session_ptr&, const request_id&, protocol::request::answers&);
    void on(const session_ptr&, const request_id&, protocol::request::answer_save&);
    void on(const session_ptr&, const request_id&, protocol::request::answer_delete&);
    // A lead's history request also starts their live view of the conversation.
    bool watch(const session_ptr& p, const request_id& id, const std::string& conversation);
    // Adds what `make` builds (staff's view) for the leads watching the conversation, if any.
    template <class Make> void tell_watchers(step& s, const std::string& conversation, Make&& make) {
        if (audience_.any(audience::group::watchers, conversation))
            s.out.push_back(notifications::to_watchers(conversation, notifications::frame_of(make())));
    }
    static constexpr std::size_t watched_per_session = 20;
    // What a decision is in the tenant's audit log: its action, and why or what to.
    struct audit_as {
        std::string_view action;
        std::string detail{};
    };
    // Runs a core call for the session, stores its outcome, then acks (or refuses).
    // `then` adds to the step what a decision taken brings besides its outcome; `audited`:
    // staff's decision taken goes in the tenant's audit log, in the same commit.
    template <class Call>
    void decide(const session_ptr& p, const request_id& id, const std::string& conversation, Call&& call,
                const std::function<void(step&)>& then = {}, std::optional<audit_as> audited = std::nullopt);
    // hub_audit.cpp: appends to the tenant's audit log with the step.
    void audit(step& s, const identity& who, std::string_view action, const std::string& conversation, std::string detail);
    static audit_entry audit_of(const identity& who, std::string_view action, const std::string& conversation, std::string detail,
                                queue::instant at);
    static bool may_read(const identity& who, const queue::conversation& c);
    static bool may_read(const participant& p, const queue::conversation& c) { return may_read(p.who(), c); }
    void refuse(const session_ptr& p, const request_id& id, std::string_view code, std::string message);
    void refuse(const session_ptr& p, const request_id& id, std::error_code ec);
    // The refusal of a core outcome, as the step's answer.
    void refuse_in(step& s, const session_ptr& p, const request_id& id, std::error_code ec);
    void ack(step& s, const session_ptr& p, const request_id& id, std::optional<std::string> conversation = std::nullopt,
             std::optional<std::uint64_t> seq = std::nullopt, std::optional<queue::instant> at = std::nullopt);
    bool rate_allows(const session_ptr& p);
    // Marks an ok as answering the session's own message `seq`: it counts as sent to it.
    static void own(outgoing& ok, const std::string& conversation, std::uint64_t seq) {
        ok.conversation = conversation;
        ok.seq = seq;
    }

    // hub_messages.cpp: opening a conversation and writing in it
    void open(const session_ptr& p, const request_id& id, protocol::request::open& r,
              std::optional<queue::continued> continues);
    void opened(step& s, const session_ptr& p, const request_id& id, const protocol::request::open& r,
                const queue::outcome& out, const std::string& made);
    // `file`: the message is that file (its text, the file's name).
    void message(const session_ptr& p, const request_id& id, const std::string& conversation, const std::string& text,
                 const std::string& client_id, std::optional<attachment_record> file = std::nullopt);
    // Appends the numbered message and tells the parties (`to_sender`: the sending connection too).
    void sent(step& s, const session_ptr& p, const request_id& id, const std::string& text, const std::string& client_id,
              const queue::effect::message_added& added, bool to_sender, std::optional<attachment_record> file = std::nullopt,
              std::string call_url = {});
    // A repeated message answered, or a refusal: true when the outcome was handled.
    bool answered_early(step& s, const session_ptr& p, const request_id& id, const queue::outcome& out);
    // After a restore the core may need a conversation's recent messages to tell a retry from a
    // new message: reads their streams' tails, lets the core learn them, then runs `then`.
    void learn_recent_then(const session_ptr& p, const request_id& id, std::vector<std::string> conversations,
                           std::function<void()> then);
    void refuse_gone(const session_ptr& p, const request_id& id, const std::string& conversation);

    // hub_notes.cpp: the internal thread
    // Staff of the conversation's tenant, whoever holds it.
    static bool may_note(const identity& who, const queue::conversation& c);
    // Numbers notes from the thread's stored tail, read once per conversation in memory.
    void learn_notes_then(const session_ptr& p, const request_id& id, const std::string& conversation,
                          std::function<void()> then);
    // Numbers a note, stores it with the step and tells the staff concerned (numbering learnt).
    stored_note add_note(step& s, const session_ptr& p, const std::string& conversation, const std::string& text,
                         const std::string& client_id);
    // A hand-off's card, kept in the thread as a note by the expert who handed off; a transfer's
    // (`heading` names where it went) always, even without a card.
    void add_hand_off_card(step& s, const session_ptr& p, const std::string& conversation, const queue::hand_off_card& card,
                           const std::string& heading = {});
    static constexpr std::size_t notes_page = 200;

    // hub_files.cpp: files in the chat
    // Refuses (through `done`) unless `who` may send `size` more bytes in `c` now.
    bool may_send_file(const identity& who, const queue::conversation& c, std::uint64_t size, reply_handler& done);
    // Reads the bytes a tenant's files take once per hub, then runs `then`.
    void learn_files_used_then(const std::string& tenant, reply_handler done, std::function<void()> then);

    // hub_tickets.cpp: the ticket system's reports, and the customer's tickets
    struct ticket_report {
        std::string ticket, conversation;
        std::optional<std::string> status;
        std::optional<std::string> comment_id; // the system's id of a public comment: a retry is told apart by it
        std::string comment_author, comment_text;
    };
    static std::variant<ticket_report, std::string> parse_ticket_report(const std::string& ticket, const std::string& body);
    void report_ticket(const identity& endpoint, queue::conversation c, ticket_report r, reply_handler done);
    void audit_report(step& s, const identity& endpoint, std::string_view action, const std::string& conversation,
                      std::string detail);
    // Numbers the comments of a conversation from its stream's tail (the core never numbers a closed one).
    void learn_ticket_numbering_then(const std::string& conversation, reply_handler done, std::function<void()> then);
    void on(const session_ptr&, const request_id&, protocol::request::tickets&);

    // hub_reads.cpp: history, earlier conversations, the read API
    void replay(const session_ptr& p, const request_id& id, const protocol::request::history& r,
                const std::string& epoch, std::uint64_t last);
    void on_earlier(const session_ptr& p, const request_id& id, const std::string& conversation,
                    const queue::customer& customer, std::vector<queue::conversation> found);
    protocol::event::earlier_entry earlier_entry(const queue::conversation& stored, const session_ptr& p) const;
    void on_read_conversation(const identity& who, std::optional<queue::conversation> c,
                              std::function<void(int, nlohmann::json)> done);
    static constexpr std::size_t earlier_shown = 20;

    boost::asio::any_io_executor strand_;
    std::shared_ptr<server::store> store_;
    const server::clock& clock_;
    hub_limits limits_;
    queue::core core_;
    commit_pipeline pipeline_;
    audience audience_;
    monitor_feed feed_;
    std::unordered_map<std::string, rate_limiter> customer_rates_;
    std::unordered_map<std::string, std::set<std::string>> by_customer_; // tenant/user -> live conversations
    std::unordered_map<std::string, queue::message_numbering> notes_numbering_; // by conversation in memory
    std::unordered_map<std::string, queue::message_numbering> ticket_numbering_; // comments, by escalated conversation
    std::unordered_map<std::string, std::uint64_t> files_used_; // bytes in the file store, by tenant (learnt once)

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
    std::shared_ptr<hub_counters> counters_;
    hub_hooks hooks_;
    std::mt19937_64 event_ids_{std::random_device{}()}; // webhook events' ids
};

} // namespace chat::server
