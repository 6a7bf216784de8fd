#pragma once
// The chat.v1 requests a client may send, one struct per message type. Each lists its
// fields once, in `visit`, which drives both parsing and printing (see codec.hpp).

#include "chat/protocol/fields.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace chat::protocol {

// Who may send a message; a connection has exactly one role, from its token.
enum class role : std::uint8_t { customer = 1, expert = 2, monitor = 4 };
using role_set = std::uint8_t;
constexpr role_set operator|(role a, role b) { return static_cast<role_set>(static_cast<int>(a) | static_cast<int>(b)); }
constexpr bool allows(role_set s, role r) { return (s & static_cast<role_set>(r)) != 0; }
constexpr role_set anyone = 7;
std::string_view to_string(role r);
std::optional<role> parse_role(std::string_view s);

// Where a client left off in one conversation, to be replayed after it on resume.
struct resume_point {
    std::string conversation;
    std::uint64_t after = 0;
    std::optional<std::string> epoch;
};

namespace request {

// The first frame when the token did not come in the Authorization header.
struct hello {
    static constexpr std::string_view type = "hello";
    static constexpr role_set roles = anyone;
    std::optional<std::string> token;
    template <class V> void visit(V& v) { v("token", token, field_kind::token); }
};
struct open {
    static constexpr std::string_view type = "open";
    static constexpr role_set roles = static_cast<role_set>(role::customer);
    std::string topic, text;
    std::optional<int> severity;
    std::optional<std::string> client_id;
    std::optional<std::string> product_area; // where in the product: maps to the skills it needs
    std::optional<std::string> continues;    // an expired conversation of this customer's it continues
    std::optional<std::string> request_type, priority;
    template <class V> void visit(V& v) {
        v("topic", topic, field_kind::note);
        v("text", text, field_kind::text);
        v("severity", severity, field_kind::severity);
        v("request_type", request_type, field_kind::request_type);
        v("priority", priority, field_kind::priority);
        v("client_id", client_id, field_kind::id);
        v("product_area", product_area, field_kind::id);
        v("continues", continues, field_kind::id);
    }
};
// A chat message from either side (or a team lead who joined); a customer's reply also reopens
// a saved conversation.
struct send {
    static constexpr std::string_view type = "send";
    static constexpr role_set roles = anyone;
    std::string conversation, text, client_id;
    template <class V> void visit(V& v) {
        v("conversation", conversation, field_kind::id);
        v("text", text, field_kind::text);
        v("client_id", client_id, field_kind::id);
    }
};
// Messages that name only a conversation.
template <const char* Name, role_set Roles> struct on_conversation {
    static constexpr std::string_view type = Name;
    static constexpr role_set roles = Roles;
    std::string conversation;
    template <class V> void visit(V& v) { v("conversation", conversation, field_kind::id); }
};
inline constexpr char typing_name[] = "typing", hold_name[] = "hold", resume_name[] = "resume",
                      stay_request_name[] = "stay_request", close_name[] = "close",
                      accept_name[] = "accept", decline_name[] = "decline",
                      report_conduct_name[] = "report_conduct", earlier_name[] = "earlier",
                      take_over_name[] = "take_over", unwatch_name[] = "unwatch", join_name[] = "join";
constexpr role_set both = role::customer | role::expert;
constexpr role_set expert_only = static_cast<role_set>(role::expert);
constexpr role_set customer_only = static_cast<role_set>(role::customer);
constexpr role_set monitor_only = static_cast<role_set>(role::monitor);
using typing = on_conversation<typing_name, both>;
using hold = on_conversation<hold_name, both>;
using resume = on_conversation<resume_name, both>;
using close = on_conversation<close_name, both>;
using stay_request = on_conversation<stay_request_name, customer_only>;
using accept = on_conversation<accept_name, expert_only>;
using decline = on_conversation<decline_name, expert_only>;
using report_conduct = on_conversation<report_conduct_name, expert_only>;
// The customer's other conversations, newest first (the console's "earlier conversations").
using earlier = on_conversation<earlier_name, expert_only>;
// A team lead takes the conversation themselves, as the expert they are in the console.
using take_over = on_conversation<take_over_name, monitor_only>;
// Ends a lead's live view of a conversation (a lead's `history` starts it).
using unwatch = on_conversation<unwatch_name, monitor_only>;
// A team lead joins the conversation beside its expert: they may `send` in it from then on.
using join = on_conversation<join_name, monitor_only>;

struct stay_accept {
    static constexpr std::string_view type = "stay_accept";
    static constexpr role_set roles = customer_only;
    std::string conversation;
    queue::instant at{};
    template <class V> void visit(V& v) {
        v("conversation", conversation, field_kind::id);
        v("at", at, field_kind::instant);
    }
};
struct survey {
    static constexpr std::string_view type = "survey";
    static constexpr role_set roles = customer_only;
    std::string conversation;
    int rating = 0;
    std::optional<std::string> comment;
    template <class V> void visit(V& v) {
        v("conversation", conversation, field_kind::id);
        v("rating", rating, field_kind::rating);
        v("comment", comment, field_kind::comment);
    }
};
// Replays a conversation's messages after a sequence number, then keeps it live (for a team
// lead: a live view of the conversation, its messages, state and internal thread).
struct history {
    static constexpr std::string_view type = "history";
    static constexpr role_set roles = anyone;
    std::string conversation;
    std::optional<std::uint64_t> after;
    std::optional<std::string> epoch;
    template <class V> void visit(V& v) {
        v("conversation", conversation, field_kind::id);
        v("after", after, field_kind::sequence);
        v("epoch", epoch, field_kind::id);
    }
};
struct presence {
    static constexpr std::string_view type = "presence";
    static constexpr role_set roles = expert_only;
    std::string presence;
    template <class V> void visit(V& v) { v("presence", presence, field_kind::presence); }
};
struct capacity {
    static constexpr std::string_view type = "capacity";
    static constexpr role_set roles = expert_only;
    int capacity = 0;
    template <class V> void visit(V& v) { v("capacity", capacity, field_kind::capacity); }
};
// The skills routing uses for this expert: a subset of those their token grants.
struct skills {
    static constexpr std::string_view type = "skills";
    static constexpr role_set roles = expert_only;
    std::vector<std::string> skills;
    template <class V> void visit(V& v) { v("skills", skills, field_kind::ids); }
};
// Offers are accepted at once for this expert (while they have room).
struct auto_accept {
    static constexpr std::string_view type = "auto_accept";
    static constexpr role_set roles = expert_only;
    bool on = false;
    template <class V> void visit(V& v) { v("on", on, field_kind::flag); }
};
// Back to the queue, with a card for the next expert (all of it optional).
struct hand_off {
    static constexpr std::string_view type = "hand_off";
    static constexpr role_set roles = expert_only;
    std::string conversation;
    std::optional<std::string> note, tried{}, promised{};
    std::optional<queue::instant> promised_at{};
    template <class V> void visit(V& v) {
        v("conversation", conversation, field_kind::id);
        v("note", note, field_kind::note);
        v("tried", tried, field_kind::note);
        v("promised", promised, field_kind::note);
        v("promised_at", promised_at, field_kind::instant);
    }
};
// Passes the conversation to a named colleague (`to`, a user of the tenant, who must accept) or
// to a team (`team`, a skill), with a card as for hand_off; its place and SLA clock are kept.
struct transfer {
    static constexpr std::string_view type = "transfer";
    static constexpr role_set roles = expert_only;
    std::string conversation;
    std::optional<std::string> to, team, note{}, tried{}, promised{};
    std::optional<queue::instant> promised_at{};
    template <class V> void visit(V& v) {
        v("conversation", conversation, field_kind::id);
        v("to", to, field_kind::id);
        v("team", team, field_kind::id);
        v("note", note, field_kind::note);
        v("tried", tried, field_kind::note);
        v("promised", promised, field_kind::note);
        v("promised_at", promised_at, field_kind::instant);
    }
};
// Asks the tenant's team leads for help with a conversation.
struct ask_lead {
    static constexpr std::string_view type = "ask_lead";
    static constexpr role_set roles = expert_only;
    std::string conversation;
    std::optional<std::string> text;
    template <class V> void visit(V& v) {
        v("conversation", conversation, field_kind::id);
        v("text", text, field_kind::note);
    }
};
struct stay_propose {
    static constexpr std::string_view type = "stay_propose";
    static constexpr role_set roles = expert_only;
    std::string conversation;
    queue::instant at{};
    template <class V> void visit(V& v) {
        v("conversation", conversation, field_kind::id);
        v("at", at, field_kind::instant);
    }
};
struct mark_duplicate {
    static constexpr std::string_view type = "mark_duplicate";
    static constexpr role_set roles = expert_only;
    std::string conversation, of;
    template <class V> void visit(V& v) {
        v("conversation", conversation, field_kind::id);
        v("of", of, field_kind::id);
    }
};
struct escalate {
    static constexpr std::string_view type = "escalate";
    static constexpr role_set roles = expert_only;
    std::string conversation, summary;
    template <class V> void visit(V& v) {
        v("conversation", conversation, field_kind::id);
        v("summary", summary, field_kind::note);
    }
};
// A video call offered to the customer: a message carrying the meeting's link (the policy's
// template), for the severities the policy allows calls for.
struct offer_call {
    static constexpr std::string_view type = "offer_call";
    static constexpr role_set roles = expert_only;
    std::string conversation, client_id;
    template <class V> void visit(V& v) {
        v("conversation", conversation, field_kind::id);
        v("client_id", client_id, field_kind::id);
    }
};
// The live queue and expert board: a snapshot, then deltas.
struct subscribe {
    static constexpr std::string_view type = "subscribe";
    static constexpr role_set roles = role::expert | role::monitor;
    template <class V> void visit(V&) {}
};
// A note in a conversation's internal thread: staff of its tenant only, never its customer.
// `@user` names a colleague, who is sent the note.
struct note {
    static constexpr std::string_view type = "note";
    static constexpr role_set roles = role::expert | role::monitor;
    std::string conversation, text, client_id;
    template <class V> void visit(V& v) {
        v("conversation", conversation, field_kind::id);
        v("text", text, field_kind::text);
        v("client_id", client_id, field_kind::id);
    }
};
// A conversation's internal thread after a note's sequence number, a page at a time.
struct notes {
    static constexpr std::string_view type = "notes";
    static constexpr role_set roles = role::expert | role::monitor;
    std::string conversation;
    std::optional<std::uint64_t> after;
    template <class V> void visit(V& v) {
        v("conversation", conversation, field_kind::id);
        v("after", after, field_kind::sequence);
    }
};
// A team lead gives a conversation to a named expert of the tenant at once: reassigning it, or
// placing one that waits (every expert declined it).
struct reassign {
    static constexpr std::string_view type = "reassign";
    static constexpr role_set roles = monitor_only;
    std::string conversation, to;
    std::optional<std::string> reason;
    template <class V> void visit(V& v) {
        v("conversation", conversation, field_kind::id);
        v("to", to, field_kind::id);
        v("reason", reason, field_kind::note);
    }
};
// A team lead sets an expert's presence and/or capacity.
struct set_expert {
    static constexpr std::string_view type = "set_expert";
    static constexpr role_set roles = monitor_only;
    std::string expert;
    std::optional<std::string> presence;
    std::optional<int> capacity;
    std::optional<std::string> reason;
    template <class V> void visit(V& v) {
        v("expert", expert, field_kind::id);
        v("presence", presence, field_kind::presence);
        v("capacity", capacity, field_kind::capacity);
        v("reason", reason, field_kind::note);
    }
};
// A team lead lifts (no `until`) or extends a customer's conduct restriction, saying why.
struct restriction {
    static constexpr std::string_view type = "restriction";
    static constexpr role_set roles = monitor_only;
    std::string user, reason;
    std::optional<queue::instant> until;
    template <class V> void visit(V& v) {
        v("user", user, field_kind::id);
        v("until", until, field_kind::instant);
        v("reason", reason, field_kind::note);
    }
};
// Changes a conversation's severity, request type or priority, with a reason: the expert who
// holds it, or a team lead of its tenant.
struct classify {
    static constexpr std::string_view type = "classify";
    static constexpr role_set roles = role::expert | role::monitor;
    std::string conversation, reason;
    std::optional<int> severity;
    std::optional<std::string> request_type, priority;
    template <class V> void visit(V& v) {
        v("conversation", conversation, field_kind::id);
        v("severity", severity, field_kind::severity);
        v("request_type", request_type, field_kind::request_type);
        v("priority", priority, field_kind::priority);
        v("reason", reason, field_kind::note);
    }
};
// Saved answers: the tenant's shared ones and your own (answered with `answers`).
struct answers {
    static constexpr std::string_view type = "answers";
    static constexpr role_set roles = role::expert | role::monitor;
    template <class V> void visit(V&) {}
};
// Creates (no `answer`) or replaces the saved answer `answer`, `shared` with the tenant's staff
// or your own; answered with the new `answers`.
struct answer_save {
    static constexpr std::string_view type = "answer_save";
    static constexpr role_set roles = role::expert | role::monitor;
    std::optional<std::string> answer;
    std::optional<bool> shared;
    std::string title, text;
    std::optional<std::string> shortcut, action;
    std::optional<int> in_minutes, severity;
    template <class V> void visit(V& v) {
        v("answer", answer, field_kind::id);
        v("shared", shared, field_kind::flag);
        v("title", title, field_kind::note);
        v("text", text, field_kind::text);
        v("shortcut", shortcut, field_kind::id);
        v("action", action, field_kind::id);
        v("in_minutes", in_minutes, field_kind::minutes);
        v("severity", severity, field_kind::severity);
    }
};
struct answer_delete {
    static constexpr std::string_view type = "answer_delete";
    static constexpr role_set roles = role::expert | role::monitor;
    std::string answer;
    std::optional<bool> shared;
    template <class V> void visit(V& v) {
        v("answer", answer, field_kind::id);
        v("shared", shared, field_kind::flag);
    }
};
// The customer's tickets (their escalated conversations), newest first, with what the ticket
// system last reported of each (answered with `tickets`).
struct tickets {
    static constexpr std::string_view type = "tickets";
    static constexpr role_set roles = customer_only;
    template <class V> void visit(V&) {}
};
struct ping {
    static constexpr std::string_view type = "ping";
    static constexpr role_set roles = anyone;
    template <class V> void visit(V&) {}
};

} // namespace request

using any_request =
    std::variant<request::hello, request::open, request::send, request::typing, request::hold,
                 request::resume, request::close, request::stay_request, request::stay_accept,
                 request::survey, request::history, request::presence, request::capacity,
                 request::accept, request::decline, request::hand_off, request::stay_propose,
                 request::mark_duplicate, request::escalate, request::report_conduct,
                 request::subscribe, request::ping, request::earlier, request::skills,
                 request::auto_accept, request::note, request::notes, request::transfer, request::ask_lead,
                 request::reassign, request::take_over, request::set_expert, request::restriction,
                 request::unwatch, request::join, request::answers, request::answer_save, request::answer_delete, request::classify,
                 request::offer_call, request::tickets>;

} // namespace chat::protocol
