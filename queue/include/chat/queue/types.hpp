#pragma once
// Vocabulary of the conversation core: ids, time, tiers, states.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chat::queue {

// Wall-clock instants in milliseconds; the core never reads a clock itself.
using duration = std::chrono::milliseconds;
using instant = std::chrono::sys_time<duration>;

using conversation_id = std::string;
using expert_id = std::string;

enum class tier : std::uint8_t { enterprise = 0, standard = 1 };
inline constexpr int tier_count = 2;

// 1 critical ... 4 low.
using severity = int;
inline constexpr severity min_severity = 1;
inline constexpr severity max_severity = 4;
inline constexpr severity default_severity = 3;

// What the customer asks for (beside how severe it is).
enum class request_type : std::uint8_t { problem, question, feature_request, request };
// How urgently the customer needs it: `low` means response times are not critical.
enum class priority : std::uint8_t { high, normal, low };
inline constexpr int priority_count = 3;

enum class presence : std::uint8_t { available, away, offline };

enum class conversation_state : std::uint8_t {
    queued,
    offered,
    active,
    on_hold,
    scheduled,
    saved,
    closed,
};

enum class close_reason : std::uint8_t {
    resolved,
    customer_left,
    duplicate,
    escalated,
    conduct,
    expired,
};

// Who asked for something: the customer of the conversation or an expert.
enum class party : std::uint8_t { customer, expert };

// The response-time clocks: the first answer, each answer to a waiting customer, and the
// updates a severe conversation is owed.
enum class response_clock : std::uint8_t { first_response, next_response, update };

// The customer as the host product's token describes them.
struct customer {
    std::string tenant;
    std::string user;
    queue::tier tier = tier::standard;
    std::string region;
    friend bool operator==(const customer&, const customer&) = default;
};

std::string_view to_string(tier t);
std::string_view to_string(presence p);
std::string_view to_string(conversation_state s);
std::string_view to_string(close_reason r);
std::string_view to_string(party p);
std::string_view to_string(response_clock c);
std::string_view to_string(request_type t);
std::string_view to_string(priority p);
std::optional<request_type> parse_request_type(std::string_view s);
std::optional<priority> parse_priority(std::string_view s);
std::optional<tier> parse_tier(std::string_view s);
std::optional<presence> parse_presence(std::string_view s);
std::optional<conversation_state> parse_state(std::string_view s);
std::optional<close_reason> parse_close_reason(std::string_view s);
std::optional<party> parse_party(std::string_view s);

} // namespace chat::queue
