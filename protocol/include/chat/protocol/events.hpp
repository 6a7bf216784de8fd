#pragma once
// The chat.v1 events the server sends, one struct per type; printed by to_json_message.

#include "chat/protocol/fields.hpp"
#include "chat/queue/types.hpp"


#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace chat::protocol::event {

// Staff only: an expert stepped away, with their note for whoever comes next.
struct hand_off_card {
    std::string from;      // the expert's user id
    std::string from_name;
    std::string note;
    queue::instant at{};
    std::optional<std::string> tried{}, promised{};
    std::optional<queue::instant> promised_at{};
    std::optional<std::string> to{}, to_name{}, team{}; // a transfer: to a named expert, or to a team
    template <class V> void visit(V& v) {
        v("from", from);
        v("from_name", from_name);
        v("note", note);
        v("at", at);
        v("tried", tried);
        v("promised", promised);
        v("promised_at", promised_at);
        v("to", to);
        v("to_name", to_name);
        v("team", team);
    }
};

// A change of severity, request type or priority (staff only).
struct classification_change {
    std::string field; // severity | request_type | priority
    std::string from, to;
    std::string by; // the expert's or lead's user id
    std::string reason;
    queue::instant at{};
    template <class V> void visit(V& v) {
        v("field", field);
        v("from", from);
        v("to", to);
        v("by", by);
        v("reason", reason);
        v("at", at);
    }
};

// The whole visible state of one conversation, sent whenever it changes.
struct conversation {
    static constexpr std::string_view type = "conversation";
    std::string conversation;
    std::string state;
    std::string topic;
    int severity = 0;
    std::optional<std::string> request_type;
    std::string priority;
    std::string tier;
    std::string region;
    std::string timezone; // the customer's: their region's business calendar zone
    std::string customer; // the customer's user id (the token's sub)
    std::string customer_name;
    std::optional<std::string> expert; // the assigned expert's user id
    std::optional<std::string> expert_name;
    queue::instant opened_at{};
    std::optional<int> position;
    std::optional<long long> estimated_wait_s;
    std::optional<queue::instant> opens_at;
    std::optional<queue::instant> offer_expires_at;
    std::optional<queue::instant> scheduled_at;
    std::optional<queue::instant> proposed_stay_at;
    std::optional<queue::instant> reopen_until;
    std::optional<std::string> closed_reason;
    std::optional<std::string> duplicate_of;
    std::optional<std::string> ticket;
    bool survey_requested = false;
    std::uint64_t last_seq = 0;
    std::string epoch;
    std::optional<std::string> continues; // the expired conversation this one continues
    // Staff only: never set in what a customer session receives.
    std::optional<std::vector<std::string>> required_skills;
    std::optional<std::vector<hand_off_card>> hand_offs;
    std::optional<std::vector<classification_change>> classifications;
    template <class V> void visit(V& v) {
        v("conversation", conversation);
        v("state", state);
        v("topic", topic);
        v("severity", severity);
        v("request_type", request_type);
        v("priority", priority);
        v("tier", tier);
        v("region", region);
        v("timezone", timezone);
        v("customer", customer);
        v("customer_name", customer_name);
        v("expert", expert);
        v("expert_name", expert_name);
        v("opened_at", opened_at);
        v("position", position);
        v("estimated_wait_s", estimated_wait_s);
        v("opens_at", opens_at);
        v("offer_expires_at", offer_expires_at);
        v("scheduled_at", scheduled_at);
        v("proposed_stay_at", proposed_stay_at);
        v("reopen_until", reopen_until);
        v("closed_reason", closed_reason);
        v("duplicate_of", duplicate_of);
        v("ticket", ticket);
        v("survey_requested", survey_requested);
        v("last_seq", last_seq);
        v("epoch", epoch);
        v("continues", continues);
        v("required_skills", required_skills);
        v("hand_offs", hand_offs);
        v("classifications", classifications);
    }
};

// The answer to a successful hello: who the token says you are.
struct welcome {
    static constexpr std::string_view type = "welcome";
    std::string role;
    std::string user;
    std::string name;
    std::string tenant;
    std::optional<std::string> tier;
    std::vector<conversation> conversations; // what the caller may see, each as its snapshot
    queue::instant server_time{};
    // Experts only: the skills routing uses, those the token grants, and auto-accept.
    std::optional<std::vector<std::string>> skills, granted_skills;
    std::optional<bool> auto_accept;
    template <class V> void visit(V& v) {
        v("role", role);
        v("user", user);
        v("name", name);
        v("tenant", tenant);
        v("tier", tier);
        v("conversations", conversations);
        v("server_time", server_time);
        v("skills", skills);
        v("granted_skills", granted_skills);
        v("auto_accept", auto_accept);
    }
};

// A request succeeded; `id` echoes the request's id.
struct ok {
    static constexpr std::string_view type = "ok";
    std::optional<std::string> id;
    std::optional<std::string> conversation;
    std::optional<std::uint64_t> seq;
    std::optional<queue::instant> at{}; // when a sent message was stored: the sender's copy of it
    template <class V> void visit(V& v) {
        v("id", id);
        v("conversation", conversation);
        v("seq", seq);
        v("at", at);
    }
};

// A request was refused; the connection stays open.
struct error {
    static constexpr std::string_view type = "error";
    std::optional<std::string> id;
    std::string code;
    std::string message;
    template <class V> void visit(V& v) {
        v("id", id);
        v("code", code);
        v("message", message);
    }
};

// The conversation's place in the queue and the estimated wait.
struct queued {
    static constexpr std::string_view type = "queued";
    std::string conversation;
    int position = 0;
    std::optional<long long> estimated_wait_s;
    template <class V> void visit(V& v) {
        v("conversation", conversation);
        v("position", position);
        v("estimated_wait_s", estimated_wait_s);
    }
};

// A Standard conversation outside business hours waits until they open.
struct deferred {
    static constexpr std::string_view type = "deferred";
    std::string conversation;
    queue::instant opens_at{};
    std::optional<bool> on_call; // true: severe enough that on-call was notified
    template <class V> void visit(V& v) {
        v("conversation", conversation);
        v("opens_at", opens_at);
        v("on_call", on_call);
    }
};

// To an expert: a conversation offered until `expires_at`.
struct offered {
    static constexpr std::string_view type = "offered";
    std::string conversation;
    queue::instant expires_at{};
    std::string topic;
    int severity = 0;
    std::string tier;
    std::string region;
    std::string customer_name;
    std::vector<std::string> required_skills;
    std::optional<std::string> continues;
    std::optional<std::vector<hand_off_card>> hand_offs; // the notes of the experts before
    template <class V> void visit(V& v) {
        v("conversation", conversation);
        v("expires_at", expires_at);
        v("topic", topic);
        v("severity", severity);
        v("tier", tier);
        v("region", region);
        v("customer_name", customer_name);
        v("required_skills", required_skills);
        v("continues", continues);
        v("hand_offs", hand_offs);
    }
};

// To an expert: the offer is gone (missed when it timed out).
struct offer_withdrawn {
    static constexpr std::string_view type = "offer_withdrawn";
    std::string conversation;
    bool missed = false;
    template <class V> void visit(V& v) {
        v("conversation", conversation);
        v("missed", missed);
    }
};

// The conversation has its expert.
struct assigned {
    static constexpr std::string_view type = "assigned";
    std::string conversation;
    std::string expert_name;
    std::string customer_name;
    template <class V> void visit(V& v) {
        v("conversation", conversation);
        v("expert_name", expert_name);
        v("customer_name", customer_name);
    }
};

// A file sent in the chat (its message's `attachment`); the bytes are at GET /api/v1/attachments/{id}.
struct attachment {
    std::string id;
    std::string name;
    std::uint64_t size = 0;
    std::string content_type;
    std::string state; // clean (downloadable) | scanning | quarantined
    template <class V> void visit(V& v) {
        v("id", id);
        v("name", name);
        v("size", size);
        v("content_type", content_type);
        v("state", state);
    }
};

// A chat message, with its per-conversation sequence number (a file: `attachment`, its name as text).
struct message {
    static constexpr std::string_view type = "message";
    std::string conversation;
    std::uint64_t seq = 0;
    std::string from;
    std::string name;
    std::string text;
    queue::instant at{};
    std::optional<std::string> client_id;
    std::optional<protocol::event::attachment> attachment{};
    std::optional<std::string> call_url{}; // a video call the expert offers: the meeting's link
    std::optional<std::string> ticket{};   // a public comment on this ticket, from the ticket system
    template <class V> void visit(V& v) {
        v("conversation", conversation);
        v("seq", seq);
        v("from", from);
        v("name", name);
        v("text", text);
        v("at", at);
        v("client_id", client_id);
        v("attachment", attachment);
        v("call_url", call_url);
        v("ticket", ticket);
    }
};

// A file's virus scan ended: its `attachment.state` is now clean (downloadable) or quarantined.
struct attachment_state {
    static constexpr std::string_view type = "attachment_state";
    std::string conversation;
    protocol::event::attachment attachment;
    template <class V> void visit(V& v) {
        v("conversation", conversation);
        v("attachment", attachment);
    }
};

// The other side is typing.
struct typing {
    static constexpr std::string_view type = "typing";
    std::string conversation;
    std::string from;
    std::string name;
    template <class V> void visit(V& v) {
        v("conversation", conversation);
        v("from", from);
        v("name", name);
    }
};

// The conversation is on hold.
struct held {
    static constexpr std::string_view type = "held";
    std::string conversation;
    std::string by;
    template <class V> void visit(V& v) {
        v("conversation", conversation);
        v("by", by);
    }
};

// The conversation is active again.
struct resumed {
    static constexpr std::string_view type = "resumed";
    std::string conversation;
    template <class V> void visit(V& v) {
        v("conversation", conversation);
    }
};

// The expert stepped away; the conversation goes to someone else. The note reaches only the
// expert who wrote it: a customer is told only that another expert will continue.
struct handed_off {
    static constexpr std::string_view type = "handed_off";
    std::string conversation;
    std::optional<std::string> note;
    std::optional<std::string> to{}, team{}; // staff only: a transfer's colleague (user id) or team
    template <class V> void visit(V& v) {
        v("conversation", conversation);
        v("note", note);
        v("to", to);
        v("team", team);
    }
};

// A saved answer as `answers` lists it.
struct saved_answer {
    std::string id;
    bool shared = false;
    std::string title, text;
    std::optional<std::string> shortcut, action;
    std::optional<int> in_minutes;
    std::string updated_by; // tenant/user
    queue::instant updated_at{};
    std::optional<int> severity; // set_severity's
    template <class V> void visit(V& v) {
        v("id", id);
        v("shared", shared);
        v("title", title);
        v("text", text);
        v("shortcut", shortcut);
        v("action", action);
        v("in_minutes", in_minutes);
        v("severity", severity);
        v("updated_by", updated_by);
        v("updated_at", updated_at);
    }
};

// The saved answers a member of staff may use: the tenant's shared ones, then their own.
struct answers {
    static constexpr std::string_view type = "answers";
    std::optional<std::string> id;
    std::vector<saved_answer> answers;
    template <class V> void visit(V& v) {
        v("id", id);
        v("answers", answers);
    }
};

// A team lead joined the conversation and writes in it beside the expert.
struct joined {
    static constexpr std::string_view type = "joined";
    std::string conversation;
    std::string name;
    template <class V> void visit(V& v) {
        v("conversation", conversation);
        v("name", name);
    }
};

// To the tenant's team leads: an expert asks for help with a conversation.
struct help_requested {
    static constexpr std::string_view type = "help_requested";
    std::string conversation;
    std::string expert; // user id
    std::string name;
    std::optional<std::string> text;
    queue::instant at{};
    template <class V> void visit(V& v) {
        v("conversation", conversation);
        v("expert", expert);
        v("name", name);
        v("text", text);
        v("at", at);
    }
};

// To the expert: the customer would rather stay with them.
struct stay_requested {
    static constexpr std::string_view type = "stay_requested";
    std::string conversation;
    template <class V> void visit(V& v) {
        v("conversation", conversation);
    }
};

// To the customer: the expert proposes to continue at `at`.
struct stay_proposed {
    static constexpr std::string_view type = "stay_proposed";
    std::string conversation;
    queue::instant at{};
    template <class V> void visit(V& v) {
        v("conversation", conversation);
        v("at", at);
    }
};

// The conversation continues with the same expert at `at`.
struct scheduled {
    static constexpr std::string_view type = "scheduled";
    std::string conversation;
    queue::instant at{};
    template <class V> void visit(V& v) {
        v("conversation", conversation);
        v("at", at);
    }
};

// Idle conversation saved: a reply before `reopen_until` reopens it.
struct saved {
    static constexpr std::string_view type = "saved";
    std::string conversation;
    queue::instant reopen_until{};
    template <class V> void visit(V& v) {
        v("conversation", conversation);
        v("reopen_until", reopen_until);
    }
};

// A saved conversation is open again.
struct reopened {
    static constexpr std::string_view type = "reopened";
    std::string conversation;
    template <class V> void visit(V& v) {
        v("conversation", conversation);
    }
};

// This conversation repeats `kept`, where it continues.
struct duplicate {
    static constexpr std::string_view type = "duplicate";
    std::string conversation;
    std::string kept;
    template <class V> void visit(V& v) {
        v("conversation", conversation);
        v("kept", kept);
    }
};

// The conversation became a ticket, with the time its initial contact is due.
struct escalated {
    static constexpr std::string_view type = "escalated";
    std::string conversation;
    std::string ticket;
    queue::instant respond_by{};
    template <class V> void visit(V& v) {
        v("conversation", conversation);
        v("ticket", ticket);
        v("respond_by", respond_by);
    }
};

// A conduct warning.
struct warned {
    static constexpr std::string_view type = "warned";
    std::string conversation;
    int offences = 0;
    template <class V> void visit(V& v) {
        v("conversation", conversation);
        v("offences", offences);
    }
};

// The customer may not open conversations until `until`.
struct restricted {
    static constexpr std::string_view type = "restricted";
    queue::instant until{};
    template <class V> void visit(V& v) {
        v("until", until);
    }
};

// The conversation is closed.
struct closed {
    static constexpr std::string_view type = "closed";
    std::string conversation;
    std::string reason;
    template <class V> void visit(V& v) {
        v("conversation", conversation);
        v("reason", reason);
    }
};

// Please rate the conversation.
struct survey_request {
    static constexpr std::string_view type = "survey_request";
    std::string conversation;
    template <class V> void visit(V& v) {
        v("conversation", conversation);
    }
};

// A response-time target passed: the first answer, an answer to a waiting customer, or an update.
struct sla_breached {
    static constexpr std::string_view type = "sla_breached";
    std::string conversation;
    std::string clock;  // first_response | next_response | update
    std::string target; // as configured: "2m", "4bh", "1bd"
    template <class V> void visit(V& v) {
        v("conversation", conversation);
        v("clock", clock);
        v("target", target);
    }
};

// A waiting conversation's first answer is predicted to come too late: the estimated wait
// passes its due time (none estimated: nobody is available to take it). To monitors.
struct sla_predicted {
    static constexpr std::string_view type = "sla_predicted";
    std::string conversation;
    std::string clock = "first_response";
    queue::instant due{};
    std::optional<long long> estimated_wait_s;
    template <class V> void visit(V& v) {
        v("conversation", conversation);
        v("clock", clock);
        v("due", due);
        v("estimated_wait_s", estimated_wait_s);
    }
};

// The expert's own presence changed (or was changed by the server).
struct presence {
    static constexpr std::string_view type = "presence";
    std::string presence;
    template <class V> void visit(V& v) {
        v("presence", presence);
    }
};

// History cannot be replayed from where the client was: drop it and replay from 0.
struct resync {
    static constexpr std::string_view type = "resync";
    std::string conversation;
    std::string epoch;
    template <class V> void visit(V& v) {
        v("conversation", conversation);
        v("epoch", epoch);
    }
};

// What the ticket system reported of a ticket: its status, in the system's own words.
struct ticket {
    static constexpr std::string_view type = "ticket";
    std::string conversation;
    std::string ticket;
    std::string status;
    queue::instant updated_at{};
    template <class V> void visit(V& v) {
        v("conversation", conversation);
        v("ticket", ticket);
        v("status", status);
        v("updated_at", updated_at);
    }
};

// One of the customer's tickets, as `tickets` lists them; no status until the system reports one.
struct ticket_entry {
    std::string ticket;
    std::string conversation;
    std::string topic;
    queue::instant opened_at{};
    std::optional<std::string> status;
    std::optional<queue::instant> updated_at;
    template <class V> void visit(V& v) {
        v("ticket", ticket);
        v("conversation", conversation);
        v("topic", topic);
        v("opened_at", opened_at);
        v("status", status);
        v("updated_at", updated_at);
    }
};

// The answer to `tickets`: the customer's tickets, newest first.
struct tickets {
    static constexpr std::string_view type = "tickets";
    std::optional<std::string> id;
    std::vector<ticket_entry> tickets;
    template <class V> void visit(V& v) {
        v("id", id);
        v("tickets", tickets);
    }
};

// One of a customer's other conversations, as `earlier` lists them.
struct earlier_entry {
    std::string conversation;
    std::string topic;
    std::string state;
    queue::instant opened_at{};
    std::optional<std::string> expert_name;
    std::optional<std::string> closed_reason;
    std::optional<std::string> ticket;
    template <class V> void visit(V& v) {
        v("conversation", conversation);
        v("topic", topic);
        v("state", state);
        v("opened_at", opened_at);
        v("expert_name", expert_name);
        v("closed_reason", closed_reason);
        v("ticket", ticket);
    }
};

// The answer to `earlier`: the customer's other conversations, newest first.
struct earlier {
    static constexpr std::string_view type = "earlier";
    std::optional<std::string> id;
    std::string conversation;
    std::vector<earlier_entry> conversations;
    template <class V> void visit(V& v) {
        v("id", id);
        v("conversation", conversation);
        v("conversations", conversations);
    }
};

// A note of a conversation's internal thread (staff only), as sent live and in a `notes` page.
struct note {
    static constexpr std::string_view type = "note";
    std::string conversation;
    std::uint64_t seq = 0;
    std::string author; // the writer's expert id (tenant/user)
    std::string role;   // expert | monitor
    std::string name;
    std::string text;
    queue::instant at{};
    std::vector<std::string> mentions; // expert ids named with @
    std::optional<std::string> client_id;
    template <class V> void visit(V& v) {
        v("conversation", conversation);
        v("seq", seq);
        v("author", author);
        v("role", role);
        v("name", name);
        v("text", text);
        v("at", at);
        v("mentions", mentions);
        v("client_id", client_id);
    }
};
// The answer to `notes`: a page of the internal thread, oldest first; `more` when it was cut.
struct notes {
    static constexpr std::string_view type = "notes";
    std::optional<std::string> id;
    std::string conversation;
    std::vector<note> notes;
    bool more = false;
    template <class V> void visit(V& v) {
        v("id", id);
        v("conversation", conversation);
        v("notes", notes);
        v("more", more);
    }
};

// A waiting conversation on the monitor's queue board.
struct queue_entry {
    std::string conversation;
    std::string tier;
    int severity = 0;
    std::string topic;
    std::string region;
    queue::instant queued_at{};
    long long waiting_s = 0;
    long long sla_target_s = 0;
    bool sla_breached = false;
    std::string customer_name;
    std::optional<std::string> reserved_for;               // an expert's name
    std::optional<std::vector<std::string>> required_skills;
    std::optional<queue::instant> sla_due;     // the first answer's deadline while its clock runs
    std::optional<long long> estimated_wait_s; // the staffing model's estimate
    bool sla_predicted = false;                // the estimate passes sla_due
    template <class V> void visit(V& v) {
        v("conversation", conversation);
        v("tier", tier);
        v("severity", severity);
        v("topic", topic);
        v("region", region);
        v("queued_at", queued_at);
        v("waiting_s", waiting_s);
        v("sla_target_s", sla_target_s);
        v("sla_breached", sla_breached);
        v("customer_name", customer_name);
        v("reserved_for", reserved_for);
        v("required_skills", required_skills);
        v("sla_due", sla_due);
        v("estimated_wait_s", estimated_wait_s);
        v("sla_predicted", sla_predicted);
    }
};

// A conversation an expert has (offered, active or on hold), as the board lists it.
struct board_conversation {
    std::string conversation;
    std::string state;
    std::string tier;
    std::string topic;
    std::string customer_name;
    std::optional<queue::instant> waiting_since; // the customer's first message the expert has not answered
    std::optional<queue::instant> reply_due;     // when that wait passes the next-response target
    bool reply_late = false;                     // it has passed it
    template <class V> void visit(V& v) {
        v("conversation", conversation);
        v("state", state);
        v("tier", tier);
        v("topic", topic);
        v("customer_name", customer_name);
        v("waiting_since", waiting_since);
        v("reply_due", reply_due);
        v("reply_late", reply_late);
    }
};

// An expert on the monitor's board.
struct board_entry {
    std::string expert; // user id
    std::string name;
    std::string presence;
    bool connected = false;
    int load = 0;
    int capacity = 0;
    std::vector<std::string> skills;
    bool auto_accept = false;
    std::vector<board_conversation> conversations{};
    template <class V> void visit(V& v) {
        v("expert", expert);
        v("name", name);
        v("presence", presence);
        v("connected", connected);
        v("load", load);
        v("capacity", capacity);
        v("skills", skills);
        v("auto_accept", auto_accept);
        v("conversations", conversations);
    }
};

// A figure for each tier.
template <class T> struct per_tier {
    T enterprise{};
    T standard{};
    T& of(queue::tier t) { return t == queue::tier::enterprise ? enterprise : standard; }
    template <class V> void visit(V& v) {
        v("enterprise", enterprise);
        v("standard", standard);
    }
};

// How deep a tier's line is and how long its first has waited.
struct line_figures {
    int depth = 0;
    long long longest_wait_s = 0;
    template <class V> void visit(V& v) {
        v("depth", depth);
        v("longest_wait_s", longest_wait_s);
    }
};

// One minute of a tenant's figures (null: nothing to average that minute).
struct minute {
    queue::instant at{};
    per_tier<int> arrivals;
    per_tier<nullable<double>> wait_s;
    nullable<double> first_response_s;
    nullable<double> utilization;
    template <class V> void visit(V& v) {
        v("at", at);
        v("arrivals", arrivals);
        v("wait_s", wait_s);
        v("first_response_s", first_response_s);
        v("utilization", utilization);
    }
};

// The live queue and expert board of the tenant.
struct queue_snapshot {
    static constexpr std::string_view type = "queue_snapshot";
    std::vector<queue_entry> queue;
    std::vector<board_entry> experts;
    per_tier<line_figures> tiers;
    std::vector<minute> stats; // the last hour, one entry per minute
    template <class V> void visit(V& v) {
        v("queue", queue);
        v("experts", experts);
        v("tiers", tiers);
        v("stats", stats);
    }
};

// Changes to the queue and board since the last snapshot or delta.
struct queue_delta {
    static constexpr std::string_view type = "queue_delta";
    // The tenant's whole queue in routing order, its figures and the minute's: absent when only
    // experts' rows changed (a customer's wait for an answer moved).
    std::optional<std::vector<std::string>> order;
    std::vector<queue_entry> upsert;
    std::vector<std::string> remove;
    std::vector<board_entry> experts;
    std::optional<per_tier<line_figures>> tiers;
    std::optional<event::minute> minute;
    template <class V> void visit(V& v) {
        v("order", order);
        v("upsert", upsert);
        v("remove", remove);
        v("experts", experts);
        v("tiers", tiers);
        v("minute", minute);
    }
};

// The server is going away: reconnect (with backoff) and resume.
struct reconnect {
    static constexpr std::string_view type = "reconnect";
    std::string reason;
    template <class V> void visit(V& v) {
        v("reason", reason);
    }
};

// The answer to ping.
struct pong {
    static constexpr std::string_view type = "pong";
    std::optional<std::string> id;
    queue::instant server_time{};
    template <class V> void visit(V& v) {
        v("id", id);
        v("server_time", server_time);
    }
};

} // namespace chat::protocol::event

namespace chat::protocol {

// The table of every event type chatd sends (as any_request is of requests).
using any_event =
    std::variant<event::welcome, event::ok, event::error, event::conversation, event::queued, event::deferred,
                 event::offered, event::offer_withdrawn, event::assigned, event::message, event::typing,
                 event::held, event::resumed, event::handed_off, event::stay_requested, event::stay_proposed,
                 event::scheduled, event::saved, event::reopened, event::duplicate, event::escalated,
                 event::warned, event::restricted, event::closed, event::survey_request, event::sla_breached, event::sla_predicted,
                 event::presence, event::resync, event::earlier, event::queue_snapshot, event::queue_delta,
                 event::reconnect, event::pong, event::note, event::notes, event::attachment_state,
                 event::help_requested, event::answers, event::joined, event::ticket, event::tickets>;

// The two frames sent for every chat message, written straight to text without a JSON
// document (they are most of what chatd writes): the same JSON as the generic to_text,
// which they overload. chat_frames.cpp.
std::string to_text(const event::message& m);
std::string to_text(const event::ok& m);

} // namespace chat::protocol
