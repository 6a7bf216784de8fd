#pragma once
// The core's records of conversations and experts: plain data the server can persist.

#include "chat/queue/message_numbering.hpp"
#include "chat/queue/types.hpp"

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace chat::queue {

// A first-response SLA clock that can pause (on hold) and run in business time.
struct sla_clock {
    duration target{};
    duration elapsed{};                  // accumulated while paused
    std::optional<instant> running_since; // set while the clock runs
    std::optional<instant> responded_at;
    bool breached = false;
    bool predicted = false;          // the staffing model said the first answer would come too late
    int next_response_breaches = 0; // customers left waiting past the next-response target
    int update_breaches = 0;         // silences past the update cadence
    friend bool operator==(const sla_clock&, const sla_clock&) = default;
};

// The clocks a chat's messages move. Like the message numbering, they are left out when a
// message asks whether it changed the record: the record is stored again only for a real change.
struct reply_clocks {
    std::optional<instant> awaiting_since; // the customer's first message since an expert last wrote
    std::optional<instant> update_from;    // while active: the expert's last message, or the assignment
    bool awaiting_breached = false;        // the wait since awaiting_since passed its target
    bool update_breached = false;          // the silence since update_from passed the cadence
    friend bool operator==(const reply_clocks&, const reply_clocks&) = default;
};

// A reservation: while it lasts, only `expert` may get the conversation.
struct reservation {
    expert_id expert;
    instant until{};
    bool direct = false; // assign without an offer (a held conversation coming back)
    friend bool operator==(const reservation&, const reservation&) = default;
};

// What an expert handing off leaves for the next: the next expert reads it in the offer.
struct hand_off_card {
    std::string note{};
    std::string tried{};                  // what was tried already
    std::string promised{};               // what the customer was promised
    std::optional<instant> promised_at{}; // and by when
    bool empty() const { return note.empty() && tried.empty() && promised.empty() && !promised_at; }
    friend bool operator==(const hand_off_card&, const hand_off_card&) = default;
};

// Where a transfer sends a conversation: a named expert, who must accept, or a team (a skill).
struct transfer_target {
    std::optional<expert_id> expert;
    std::string team;
};

// An expert stepped away from the conversation, leaving a card for whoever comes next (staff only).
struct hand_off_record {
    expert_id from;
    std::string note;
    instant at{};
    std::string tried{}, promised{};
    std::optional<instant> promised_at{};
    std::optional<expert_id> to{}; // a transfer to a named expert
    std::string team{};            // a transfer to a team (a skill)
    friend bool operator==(const hand_off_record&, const hand_off_record&) = default;
};

// A change of a conversation's severity, request type or priority, with who made it and why.
struct classification_change {
    instant at{};
    std::string by;    // the expert or team lead
    std::string field; // severity | request_type | priority
    std::string from, to;
    std::string reason;
    friend bool operator==(const classification_change&, const classification_change&) = default;
};

struct conversation {
    conversation_id id;
    queue::customer customer;
    std::string customer_name; // from the customer's token when they opened it
    std::string epoch;         // changes when history cannot be replayed: clients resync
    std::string topic;
    queue::severity severity = default_severity;
    std::optional<queue::request_type> request_type; // unknown until the customer or an expert says
    queue::priority priority = priority::normal;
    std::vector<classification_change> classifications; // oldest first
    std::set<std::string> required_skills;
    std::vector<std::string> opening_messages; // for duplicate detection

    conversation_state state = conversation_state::queued;
    std::optional<close_reason> closed_as;
    std::optional<conversation_id> duplicate_of;
    std::optional<conversation_id> previous; // the expired conversation this one continues

    instant opened_at{};
    instant first_queued_at{}; // the place in the queue; never reset
    std::uint64_t sequence = 0; // tie-break for equal instants, by arrival

    std::optional<expert_id> expert;      // assigned, offered or held-by
    std::optional<expert_id> last_expert; // preferred on reopen
    std::set<expert_id> excluded;         // handed off by / declined by
    std::set<std::string> joined;         // team leads who joined and may write in it
    std::vector<hand_off_record> hand_offs; // oldest first
    std::optional<reservation> reserved;
    std::optional<instant> offer_expires_at;
    std::optional<instant> assigned_at;
    bool holds_capacity = false; // counts against the expert's capacity

    std::optional<instant> scheduled_at;      // stay-with-expert time
    std::optional<instant> proposed_stay_at;  // proposed by the expert, not yet accepted
    std::optional<instant> inactivity_deadline;
    std::optional<instant> reopen_until;
    std::optional<instant> closed_at;

    sla_clock sla;
    reply_clocks replies;
    int offences = 0;

    std::optional<int> survey_rating;
    std::string survey_comment;
    bool survey_requested = false;
    std::optional<std::string> ticket; // the ticket it was escalated to

    // Its messages' numbers. A message alone changes only this, which the stream carries:
    // the record is not stored again for it.
    message_numbering messages;
    friend bool operator==(const conversation&, const conversation&) = default;
};

struct expert {
    expert_id id;
    std::string tenant;
    std::string name;
    queue::presence presence = presence::offline;
    int capacity = 3;
    std::set<std::string> skills;         // what routing uses: the granted ones, or the expert's narrowing of them
    std::set<std::string> granted_skills; // from the expert's token
    bool narrowed = false;                // the expert chose `skills` from the granted ones
    bool auto_accept = false;
    bool connected = true;
    int load = 0;             // active + offered (+ held, when holds keep capacity)
    instant last_routed_at{}; // ties go to the expert idle longest
    std::set<conversation_id> conversations;
    friend bool operator==(const expert&, const expert&) = default;
};

// A customer who may not open conversations until a time (conduct rules).
struct restriction {
    std::string tenant, user;
    instant until{};
    friend bool operator==(const restriction&, const restriction&) = default;
};

} // namespace chat::queue
