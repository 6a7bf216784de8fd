#pragma once
// Domain refusals of the core, as std::error_code values with stable names.

#include <string_view>
#include <system_error>

namespace chat::queue {

enum class errc {
    unknown_conversation = 1,
    unknown_expert,
    already_exists,
    not_allowed,        // the caller may not touch that conversation
    illegal_transition, // the conversation is not in a state that allows it
    over_capacity,
    no_offer,
    no_proposal,
    invalid_argument,
    restricted,    // the customer is barred from opening conversations for a while
    too_many_open, // the customer already has the maximum of open conversations
    expired,       // the saved conversation passed its reopen deadline
    // A client id the core cannot tell apart from a retry yet: after a restore it knows only
    // the last stored message, and the server must let it learn the stream's tail first.
    recent_ids_unknown,
    expert_unavailable, // a named expert cannot take the conversation now
    unknown_team,       // no expert of the tenant has that skill
    not_restricted,     // the customer has no restriction to lift or extend
};

const std::error_category& core_category();
std::error_code make_error_code(errc e);
// The stable machine name of a refusal ("not_allowed", ...).
std::string_view code_name(errc e);

} // namespace chat::queue

template <> struct std::is_error_code_enum<chat::queue::errc> : std::true_type {};
