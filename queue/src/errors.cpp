#include "chat/queue/errors.hpp"

#include <string>

namespace chat::queue {
namespace {

// Maps core refusals to stable names and human messages.
class core_error_category final : public std::error_category {
public:
    const char* name() const noexcept override { return "chat.core"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
        case errc::unknown_conversation: return "no such conversation";
        case errc::unknown_expert: return "no such expert";
        case errc::already_exists: return "a conversation with that id already exists";
        case errc::not_allowed: return "you may not act on this conversation";
        case errc::illegal_transition: return "the conversation is not in a state that allows this";
        case errc::over_capacity: return "the expert has no free capacity";
        case errc::no_offer: return "there is no pending offer of this conversation to you";
        case errc::no_proposal: return "no time was proposed, or a different one";
        case errc::invalid_argument: return "an argument is out of range";
        case errc::restricted: return "you may not open conversations for a while";
        case errc::too_many_open: return "you already have the maximum number of open conversations";
        case errc::expired: return "the conversation can no longer be reopened; start a new one";
        case errc::recent_ids_unknown: return "the conversation's recent messages must be read first";
        case errc::expert_unavailable: return "that expert is not available to take the conversation now";
        case errc::unknown_team: return "no expert of this tenant is in that team";
        case errc::not_restricted: return "that customer has no restriction now";
        }
        return "unknown error";
    }
};

} // namespace

const std::error_category& core_category() {
    static const core_error_category category;
    return category;
}

std::error_code make_error_code(errc e) { return {static_cast<int>(e), core_category()}; }

std::string_view code_name(errc e) {
    switch (e) {
    case errc::unknown_conversation: return "unknown_conversation";
    case errc::unknown_expert: return "unknown_expert";
    case errc::already_exists: return "already_exists";
    case errc::not_allowed: return "not_allowed";
    case errc::illegal_transition: return "illegal_transition";
    case errc::over_capacity: return "over_capacity";
    case errc::no_offer: return "no_offer";
    case errc::no_proposal: return "no_proposal";
    case errc::invalid_argument: return "invalid_argument";
    case errc::restricted: return "restricted";
    case errc::too_many_open: return "too_many_open";
    case errc::expired: return "expired";
    case errc::recent_ids_unknown: return "recent_ids_unknown";
    case errc::expert_unavailable: return "expert_unavailable";
    case errc::unknown_team: return "unknown_team";
    case errc::not_restricted: return "not_restricted";
    }
    return "unknown";
}

} // namespace chat::queue
