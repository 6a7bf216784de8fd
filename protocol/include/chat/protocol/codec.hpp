#pragma once
// Text frames to requests and messages to text frames, by the table in messages.hpp.

#include "chat/protocol/messages.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace chat::protocol {

// A refusal as the client sees it: a stable machine code and a message for people.
struct protocol_error {
    std::string code;
    std::string message;
};

// Stable error codes of the protocol layer (the core's own codes come from chat.core).
namespace code {
inline constexpr std::string_view bad_json = "bad_json";
inline constexpr std::string_view too_deep = "too_deep";
inline constexpr std::string_view too_large = "too_large";
inline constexpr std::string_view not_an_object = "not_an_object";
inline constexpr std::string_view unknown_type = "unknown_type";
inline constexpr std::string_view bad_field = "bad_field";
inline constexpr std::string_view binary_refused = "binary_refused";
inline constexpr std::string_view not_authenticated = "not_authenticated";
inline constexpr std::string_view bad_token = "bad_token";
inline constexpr std::string_view wrong_role = "wrong_role";
inline constexpr std::string_view rate_limited = "rate_limited";
inline constexpr std::string_view unavailable = "unavailable";
inline constexpr std::string_view resync = "resync";
} // namespace code

struct parse_limits {
    std::size_t max_bytes = 64 * 1024;
    int max_depth = 8;
};

// One parsed frame. `id` is kept even when the rest is refused, so the error can echo it.
struct parsed_request {
    std::optional<std::string> id;
    std::optional<any_request> request;
    std::optional<protocol_error> error;
    // Set once the type is known, even when a field is wrong: a role's refusal comes first.
    std::optional<role_set> roles;
    std::string_view type;
};

parsed_request parse_request(std::string_view frame, const parse_limits& limits = {});

// Parses JSON text, refusing (discarded, and `repeated` set) an object that repeats a key.
nlohmann::json parse_json_once_per_key(std::string_view text, std::optional<std::string>& repeated);

// Whether `text` nests arrays and objects deeper than `max_depth`, found without building
// a document (nlohmann/json recurses, and a deep document could exhaust the stack).
bool nests_deeper_than(std::string_view text, int max_depth);

std::string_view type_of(const any_request& r);
role_set roles_of(const any_request& r);

// Writes a message struct (a request or an event) as a JSON object with its "type".
template <class M> nlohmann::json to_json_message(const M& m);
// The frame text of a message; invalid UTF-8 (which validated input never has) is replaced.
template <class M> std::string to_text(const M& m) {
    return to_json_message(m).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}
// Reads a message struct from a JSON object; the error names the first bad field.
template <class M> std::optional<protocol_error> from_json_message(const nlohmann::json& j, M& m);

} // namespace chat::protocol

#include "chat/protocol/detail/field_io.hpp"
