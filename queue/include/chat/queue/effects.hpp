#pragma once
// What the core decides: effects for the server to carry out, in order.

#include "chat/queue/records.hpp"
#include "chat/queue/response_target.hpp"
#include "chat/queue/types.hpp"

#include <optional>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

namespace chat::queue {

// Timers the core keeps; the server persists and re-arms them.
enum class timer_kind : std::uint8_t {
    offer_timeout,     // subject: conversation
    disconnect_grace,  // subject: expert
    stay_due,          // subject: conversation
    reservation_end,   // subject: conversation
    inactivity,        // subject: conversation
    reopen_deadline,   // subject: conversation
    sla_deadline,      // subject: conversation
    business_open,     // subject: region (a deferred Standard conversation may now be offered)
    next_response_due, // subject: conversation
    update_due,        // subject: conversation
};

// Timers a chat message moves without changing its conversation's record: they are stored
// with the record, and a restart derives them from the stream's last message (core::restore).
constexpr bool moved_by_messages(timer_kind k) {
    return k == timer_kind::inactivity || k == timer_kind::next_response_due || k == timer_kind::update_due;
}

struct timer {
    timer_kind kind;
    std::string subject;
    instant due{};
    friend bool operator==(const timer&, const timer&) = default;
};

std::string_view to_string(timer_kind k);
std::optional<timer_kind> parse_timer_kind(std::string_view s);

namespace effect {

struct opened { conversation_id conversation; };
struct state_changed { conversation_id conversation; conversation_state from, to; };
struct queued { conversation_id conversation; int position; std::optional<duration> estimated_wait; };
// Queued outside its tier's hours until `opens_at`; `on_call`: severe enough to notify on-call.
struct deferred { conversation_id conversation; instant opens_at; bool on_call = false; };
struct offered { conversation_id conversation; expert_id expert; instant expires_at; };
struct offer_withdrawn { conversation_id conversation; expert_id expert; bool missed; };
struct assigned { conversation_id conversation; expert_id expert; };
// The expert stepped away: to the queue, or transferred to a named expert or a team.
struct handed_off {
    conversation_id conversation;
    expert_id from;
    std::string note;
    std::optional<expert_id> to{};
    std::string team{};
};
struct held { conversation_id conversation; party by; };
// A team lead joined the conversation: they write in it beside its expert.
struct joined { conversation_id conversation; std::string lead; };
struct resumed { conversation_id conversation; expert_id expert; };
struct stay_requested { conversation_id conversation; expert_id expert; };
struct stay_proposed { conversation_id conversation; expert_id expert; instant at; };
struct scheduled { conversation_id conversation; expert_id expert; instant at; };
struct saved { conversation_id conversation; instant reopen_until; };
struct reopened { conversation_id conversation; };
struct duplicate { conversation_id conversation; conversation_id kept; std::string message; };
// A message numbered for the server to store (the first of an open, or a send).
struct message_added { conversation_id conversation; std::uint64_t seq; instant at; };
// A retried message: numbered before under the same client id, not stored again.
struct message_repeated { conversation_id conversation; std::uint64_t seq; instant at; };
struct ticket {
    std::string id;
    conversation_id conversation;
    queue::customer customer;
    queue::severity severity;
    expert_id expert;
    std::string summary;
    instant respond_by{}; // the tier's initial-contact target for its severity
};
struct warned { conversation_id conversation; int offences; };
struct restricted { std::string tenant, user; instant until; };
struct closed { conversation_id conversation; close_reason reason; };
// Its severity, request type or priority changed (each change as kept in its record).
struct classified { conversation_id conversation; std::vector<classification_change> changes; };
struct survey_requested { conversation_id conversation; };
struct survey_recorded { conversation_id conversation; int rating; std::string comment; };
struct sla_breached { conversation_id conversation; response_target target; response_clock clock = response_clock::first_response; };
// The estimated wait says a waiting conversation's first answer will come after it falls due
// (no wait estimated: nobody is available to take it).
struct sla_predicted { conversation_id conversation; instant due; std::optional<duration> estimated_wait; };
// An expert answered a customer whose wait for it was measured (the tier's next-response target).
struct reply_answered { conversation_id conversation; duration waited; bool within_target; };
struct first_response { conversation_id conversation; duration elapsed; bool within_target; };
struct presence_changed { expert_id expert; queue::presence presence; };
struct timer_set { queue::timer timer; };
struct timer_cleared { queue::timer timer; };

} // namespace effect

using any_effect =
    std::variant<effect::opened, effect::state_changed, effect::queued, effect::deferred, effect::offered,
                 effect::offer_withdrawn, effect::assigned, effect::handed_off, effect::held,
                 effect::resumed, effect::stay_requested, effect::stay_proposed, effect::scheduled,
                 effect::saved, effect::reopened, effect::duplicate, effect::ticket, effect::warned,
                 effect::restricted, effect::closed, effect::survey_requested,
                 effect::survey_recorded, effect::sla_breached, effect::first_response,
                 effect::presence_changed, effect::timer_set, effect::timer_cleared,
                 effect::message_added, effect::message_repeated, effect::joined, effect::classified,
                 effect::sla_predicted, effect::reply_answered>;

// The answer to one event: the effects to carry out, or a refusal (whose effects, if any,
// are what fell due anyway, such as an expiry found while refusing).
struct outcome {
    std::error_code error;
    std::vector<any_effect> effects;
    // The conversation the event created or was redirected to, when there is one.
    std::optional<conversation_id> conversation;
    // Every record the event changed, each once: what the server must store with it.
    std::vector<conversation_id> changed_conversations;
    std::vector<expert_id> changed_experts;

    explicit operator bool() const { return !error; }
    void touch(const queue::conversation& c) { add_once(changed_conversations, c.id); }
    void touch(const queue::expert& x) { add_once(changed_experts, x.id); }
    void untouch(const conversation_id& id) { std::erase(changed_conversations, id); }
    // Another event's outcome taken into this one (its effects after these, its refusal if any).
    void merge(outcome&& other) {
        if (other.error) error = other.error;
        for (auto& e : other.effects) effects.push_back(std::move(e));
        for (const auto& id : other.changed_conversations) add_once(changed_conversations, id);
        for (const auto& id : other.changed_experts) add_once(changed_experts, id);
    }

    template <class E> std::vector<E> all() const {
        std::vector<E> found;
        for (const auto& e : effects)
            if (auto* p = std::get_if<E>(&e)) found.push_back(*p);
        return found;
    }
    template <class E> std::optional<E> first() const {
        for (const auto& e : effects)
            if (auto* p = std::get_if<E>(&e)) return *p;
        return std::nullopt;
    }

private:
    static void add_once(std::vector<std::string>& ids, const std::string& id) {
        for (const auto& i : ids)
            if (i == id) return;
        ids.push_back(id);
    }
};

} // namespace chat::queue
