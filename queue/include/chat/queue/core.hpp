#pragma once
// The conversation core: routing and lifecycle policy as a state machine. Every call takes
// `now` and returns an outcome: a refusal, or the effects for the server to carry out.

#include "chat/queue/conduct_filter.hpp"
#include "chat/queue/effects.hpp"
#include "chat/queue/errors.hpp"
#include "chat/queue/policy.hpp"
#include "chat/queue/records.hpp"
#include "chat/queue/timer_set.hpp"
#include "chat/queue/waiting_line.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace chat::queue {

// How an expert signs in; capacity falls back to the policy's default.
struct expert_profile {
    expert_id id;
    std::string tenant;
    std::string name;
    std::optional<int> capacity;
    std::set<std::string> skills;    // granted (from the token)
    std::optional<bool> auto_accept; // left as it was when not given
};

// A conversation's last chat message, when it was stored after the conversation's record was
// last written: chat messages are stored alone, and what they do to the inactivity timer is
// derived from them at a restart (restore()).
struct message_after_record {
    conversation_id conversation;
    party from = party::customer;
    instant at{};
};

// Everything the core needs to carry on after a restart: what the server stores.
struct core_state {
    std::vector<conversation> conversations; // open, or closed and still awaiting a survey
    std::vector<expert> experts;
    std::vector<timer> timers; // an inactivity timer as its record was last written
    std::vector<restriction> restrictions;
    duration average_handle{};
    std::vector<message_after_record> later_messages;
};

// A customer's request for a new conversation.
// An earlier conversation a new one continues, as the server found it (in memory or stored).
struct continued {
    conversation_id id;
    queue::customer owner;
    bool closed = false;
    std::optional<expert_id> last_expert; // offered the new one first, when available
};

struct opening {
    conversation_id id;
    queue::customer customer;
    std::string topic;
    std::string message;
    queue::severity severity = default_severity;
    std::set<std::string> required_skills;
    std::optional<continued> continues; // a closed conversation this one follows
    std::string client_id;              // the opening message's: a retried open is told apart by it
    std::string customer_name;
    std::string epoch;                  // the new conversation's history epoch (the server draws it)
    std::optional<queue::request_type> request_type{};
    queue::priority priority = priority::normal;
};

// What a reclassification sets (at least one), and why.
struct classification {
    std::optional<queue::severity> severity;
    std::optional<queue::request_type> request_type;
    std::optional<queue::priority> priority;
    std::string reason;
};

class core {
public:
    explicit core(queue::policy p = {});

    const queue::policy& policy() const { return policy_; }

    // Experts.
    outcome register_expert(const expert_profile& profile, instant now);
    outcome set_presence(const expert_id& e, presence p, instant now);
    outcome set_capacity(const expert_id& e, int capacity, instant now);
    outcome set_auto_accept(const expert_id& e, bool on, instant now);
    // Narrows the skills routing uses to a subset of the granted ones (all of them: no narrowing).
    outcome narrow_skills(const expert_id& e, std::set<std::string> skills, instant now);
    outcome expert_disconnected(const expert_id& e, instant now);
    outcome expert_connected(const expert_id& e, instant now);

    // Customers.
    outcome open(const opening& o, instant now);
    // A message: numbered (message_added), or recognised as a retry of one numbered under the
    // same client id (message_repeated, nothing else changes).
    outcome customer_message(const conversation_id& c, const customer& who, std::string_view text,
                             const std::string& client_id, instant now);
    outcome customer_hold(const conversation_id& c, const customer& who, instant now);
    outcome customer_resume(const conversation_id& c, const customer& who, instant now);
    outcome request_stay(const conversation_id& c, const customer& who, instant now);
    outcome accept_stay(const conversation_id& c, const customer& who, instant at, instant now);
    outcome customer_close(const conversation_id& c, const customer& who, instant now);
    outcome submit_survey(const conversation_id& c, const customer& who, int rating,
                          std::string comment, instant now);

    // Experts acting on conversations.
    outcome accept_offer(const expert_id& e, const conversation_id& c, instant now);
    outcome decline_offer(const expert_id& e, const conversation_id& c, instant now);
    // An expert's message offering a video call: as expert_message, where the policy allows calls
    // (not_allowed otherwise).
    outcome call_message(const expert_id& e, const conversation_id& id, const std::string& client_id, instant now);
    outcome expert_message(const expert_id& e, const conversation_id& c, const std::string& client_id,
                           instant now);
    outcome hand_off(const expert_id& e, const conversation_id& c, hand_off_card card, instant now);
    // Passes the conversation on with a card, keeping its place in the queue and its SLA clock:
    // offered to a named expert (back in its place if they decline or miss it), or queued for a team.
    outcome transfer(const expert_id& e, const conversation_id& c, const transfer_target& to,
                     hand_off_card card, instant now);
    outcome propose_stay(const expert_id& e, const conversation_id& c, instant at, instant now);
    outcome expert_hold(const expert_id& e, const conversation_id& c, instant now);
    outcome expert_resume(const expert_id& e, const conversation_id& c, instant now);
    outcome mark_duplicate(const expert_id& e, const conversation_id& c,
                           const conversation_id& of, instant now);
    outcome escalate(const expert_id& e, const conversation_id& c, std::string summary,
                     instant now);
    outcome report_conduct(const expert_id& e, const conversation_id& c, instant now);
    // The expert who holds it, or (`as_lead`) a team lead of its tenant, changes its severity,
    // request type or priority; a waiting conversation moves to its new rank, keeping the
    // time it first entered the queue.
    outcome classify(const std::string& by, bool as_lead, const conversation_id& c, classification to, instant now);
    outcome expert_close(const expert_id& e, const conversation_id& c, instant now);

    // Team leads. `reassign` gives a conversation (waiting, offered, or held by someone else)
    // to a named expert without an offer; `restrict_until` sets, extends or (with nullopt)
    // lifts a customer's restriction.
    outcome reassign(const conversation_id& c, const expert_id& to, instant now);
    // A lead joins a conversation with its expert: from then on expert_message takes theirs too.
    outcome join(const conversation_id& c, const std::string& lead, instant now);
    outcome restrict_until(const std::string& tenant, const std::string& user,
                           std::optional<instant> until, instant now);

    // Fires every timer due at `now`.
    outcome advance(instant now);
    // The next timer, or the end of the interval that holds back a position pass.
    std::optional<instant> next_deadline() const;

    // Reading.
    const conversation* find(const conversation_id& c) const;
    const expert* find_expert(const expert_id& e) const;
    std::vector<conversation_id> queue_order(instant now) const;
    std::size_t queued_count() const { return waiting_.size(); }
    std::vector<timer> pending_timers() const { return timers_.all(); }
    std::optional<instant> timer_due(timer_kind k, const std::string& subject) const {
        return timers_.due(k, subject);
    }
    // When the customer's wait for an answer, or the next update, falls due (none: not measured,
    // not running, or already breached).
    std::optional<instant> reply_due(const conversation& c, response_clock k) const;
    // A waiting conversation's position and estimated wait as last reported (none: not yet
    // reported, or not estimated).
    std::optional<int> reported_position(const conversation_id& c) const;
    std::optional<duration> estimated_wait(const conversation_id& c) const;
    // When a waiting conversation outside its tier's hours may be offered (none: open now).
    std::optional<instant> opens_at(const conversation& c, instant now) const;
    std::optional<instant> restricted_until(const std::string& tenant,
                                            const std::string& user) const;
    duration average_handle_time() const { return average_handle_; }
    const std::unordered_map<conversation_id, conversation>& conversations() const {
        return conversations_;
    }
    const std::map<expert_id, expert>& experts() const { return experts_; }
    std::vector<restriction> restrictions() const;
    // Conversations of `who` restored without their recent client ids: an open with a client id
    // is refused (recent_ids_unknown) until their streams' tails are learnt.
    std::vector<conversation_id> unlearnt_recent_ids(const customer& who) const;
    // The stream's tail of a restored conversation, newest first (see recent_ids_unknown).
    void learn_recent(const conversation_id& c, const std::vector<message_numbering::recent_id>& tail);
    // Drops a closed conversation from memory (after the server has stored it).
    void forget(const conversation_id& c);
    // Replaces the whole state with a stored one (at start-up, before any event); the
    // waiting line and the indexes are rebuilt from the records.
    void restore(core_state state);
    // Broken invariants, described; empty when the state is consistent.
    std::vector<std::string> audit(instant now) const;

private:
    struct step; // one event's working context: `now` and the outcome being built

    conversation* lookup(const conversation_id& c, outcome& out);
    template <class Event> outcome reporting_real_changes(const conversation_id& id, Event&& event);
    outcome customer_message_event(const conversation_id& id, const customer& who, std::string_view text, instant now);
    outcome expert_message_event(const expert_id& e, const conversation_id& id, instant now);
    // A message numbered before under `client_id`, or one that cannot be told apart yet.
    std::optional<outcome> numbered_before(const conversation& c, const std::string& client_id) const;
    static void number(outcome& out, conversation& c, const std::string& client_id, instant now);
    void follow_stored_message(const message_after_record& m);
    expert* lookup_expert(const expert_id& e, outcome& out);
    bool owned_by_customer(const conversation& c, const customer& who, outcome& out) const;
    bool held_by_expert(const conversation& c, const expert_id& e, outcome& out) const;
    // Its place in the waiting line: tier, rank by the policy, first-queued time.
    waiting_line::entry line_entry(const conversation& c) const;

    void set_state(step& s, conversation& c, conversation_state to);
    void enqueue(step& s, conversation& c);
    void take_capacity(step& s, conversation& c, expert& e);
    void release_capacity(step& s, conversation& c);
    void detach_expert(step& s, conversation& c);
    static hand_off_record& remember_hand_off(conversation& c, const expert_id& from, const hand_off_card& card, instant now);
    // Ready to take a conversation given by name (a transfer, a lead's reassignment).
    bool can_take(const expert& x, const conversation& c) const;
    bool team_exists(const std::string& tenant, const std::string& team, const expert_id& besides) const;
    void offer(step& s, conversation& c, expert& e);
    void assign(step& s, conversation& c, expert& e);
    void withdraw_offer(step& s, conversation& c, bool missed);
    void hand_off_all(step& s, expert& e, const std::string& note);
    void hold(step& s, conversation& c, party by);
    void leave_hold(step& s, conversation& c);
    void save(step& s, conversation& c);
    void reopen(step& s, conversation& c);
    void close(step& s, conversation& c, close_reason why);
    void restrict_customer(step& s, const conversation& c);
    bool screen_conduct(step& s, conversation& c, std::string_view text);

    void start_sla(step& s, conversation& c);
    void pause_sla(step& s, conversation& c);
    void resume_sla(step& s, conversation& c);
    duration sla_elapsed(const conversation& c, instant now) const;
    void record_first_response(step& s, conversation& c);
    response_target first_response_target(const conversation& c) const;
    const std::optional<response_target>& reply_target(const conversation& c, response_clock k) const;
    void await_reply(step& s, conversation& c);
    void answered(step& s, conversation& c);
    void follow_state(conversation& c, conversation_state to, instant now);
    void rearm_reply_clocks(step& s, conversation& c);

    void arm(step& s, timer_kind k, const std::string& subject, instant due);
    void disarm(step& s, timer_kind k, const std::string& subject);
    void fire(step& s, const timer& t);

    bool is_open_for(const conversation& c, instant now) const;
    bool eligible(const expert& e, const conversation& c) const;
    expert* choose_expert(conversation& c);
    // Offers what it can; positions are reported when the line may have moved.
    void route(step& s, bool line_may_have_moved = true);
    void positions_may_have_moved(step& s);
    void report_positions(step& s);
    void predict_breach(step& s, conversation& c, std::optional<duration> wait);

    static std::string customer_key(const customer& who) { return who.tenant + '\x1f' + who.user; }

    queue::policy policy_;
    conduct_filter conduct_;
    std::unordered_map<conversation_id, conversation> conversations_;
    std::map<expert_id, expert> experts_;
    waiting_line waiting_;
    timer_set timers_;
    std::unordered_map<std::string, std::set<conversation_id>> open_by_customer_;
    std::unordered_map<std::string, instant> restrictions_;
    std::unordered_map<conversation_id, std::pair<int, std::optional<duration>>> reported_;
    std::optional<instant> last_position_pass_;
    bool position_pass_held_ = false; // until a position interval after the last pass
    std::uint64_t sequence_ = 0;
    duration average_handle_;
};

} // namespace chat::queue
