#include "chat/queue/types.hpp"
#include "chat/queue/effects.hpp"

namespace chat::queue {

std::string_view to_string(tier t) { return t == tier::enterprise ? "enterprise" : "standard"; }

std::string_view to_string(presence p) {
    switch (p) {
    case presence::available: return "available";
    case presence::away: return "away";
    case presence::offline: return "offline";
    }
    return "offline";
}

std::string_view to_string(conversation_state s) {
    switch (s) {
    case conversation_state::queued: return "queued";
    case conversation_state::offered: return "offered";
    case conversation_state::active: return "active";
    case conversation_state::on_hold: return "on_hold";
    case conversation_state::scheduled: return "scheduled";
    case conversation_state::saved: return "saved";
    case conversation_state::closed: return "closed";
    }
    return "closed";
}

std::string_view to_string(close_reason r) {
    switch (r) {
    case close_reason::resolved: return "resolved";
    case close_reason::customer_left: return "customer_left";
    case close_reason::duplicate: return "duplicate";
    case close_reason::escalated: return "escalated";
    case close_reason::conduct: return "conduct";
    case close_reason::expired: return "expired";
    }
    return "resolved";
}

std::string_view to_string(response_clock c) {
    switch (c) {
    case response_clock::first_response: return "first_response";
    case response_clock::next_response: return "next_response";
    case response_clock::update: return "update";
    }
    return "first_response";
}

std::string_view to_string(timer_kind k) {
    switch (k) {
    case timer_kind::offer_timeout: return "offer_timeout";
    case timer_kind::disconnect_grace: return "disconnect_grace";
    case timer_kind::stay_due: return "stay_due";
    case timer_kind::reservation_end: return "reservation_end";
    case timer_kind::inactivity: return "inactivity";
    case timer_kind::reopen_deadline: return "reopen_deadline";
    case timer_kind::sla_deadline: return "sla_deadline";
    case timer_kind::business_open: return "business_open";
    case timer_kind::next_response_due: return "next_response_due";
    case timer_kind::update_due: return "update_due";
    }
    return "offer_timeout";
}

std::optional<tier> parse_tier(std::string_view s) {
    if (s == "enterprise") return tier::enterprise;
    if (s == "standard") return tier::standard;
    return std::nullopt;
}

std::optional<presence> parse_presence(std::string_view s) {
    if (s == "available") return presence::available;
    if (s == "away") return presence::away;
    if (s == "offline") return presence::offline;
    return std::nullopt;
}

namespace {

// Finds the enumerator whose name is `s`, trying each value up to `last`.
template <class E> std::optional<E> parse_by_name(std::string_view s, E last) {
    for (int i = 0; i <= static_cast<int>(last); ++i)
        if (to_string(static_cast<E>(i)) == s) return static_cast<E>(i);
    return std::nullopt;
}

} // namespace

std::optional<conversation_state> parse_state(std::string_view s) {
    return parse_by_name(s, conversation_state::closed);
}

std::optional<close_reason> parse_close_reason(std::string_view s) {
    return parse_by_name(s, close_reason::expired);
}

std::optional<timer_kind> parse_timer_kind(std::string_view s) {
    return parse_by_name(s, timer_kind::business_open);
}

std::string_view to_string(request_type t) {
    switch (t) {
    case request_type::problem: return "problem";
    case request_type::question: return "question";
    case request_type::feature_request: return "feature_request";
    case request_type::request: return "request";
    }
    return "?";
}

std::string_view to_string(priority p) {
    switch (p) {
    case priority::high: return "high";
    case priority::normal: return "normal";
    case priority::low: return "low";
    }
    return "?";
}

std::optional<request_type> parse_request_type(std::string_view s) { return parse_by_name(s, request_type::request); }

std::optional<priority> parse_priority(std::string_view s) { return parse_by_name(s, priority::low); }

std::string_view to_string(party p) { return p == party::customer ? "customer" : "expert"; }

std::optional<party> parse_party(std::string_view s) {
    if (s == "customer") return party::customer;
    if (s == "expert") return party::expert;
    return std::nullopt;
}

} // namespace chat::queue
