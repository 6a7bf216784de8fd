#include "chat/protocol/codec.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace chat::protocol {
namespace {

// The table: every request type, looked up by its "type" field.
template <std::size_t I = 0> std::optional<any_request> make_request(std::string_view type) {
    if constexpr (I == std::variant_size_v<any_request>) {
        return std::nullopt;
    } else {
        using M = std::variant_alternative_t<I, any_request>;
        if (M::type == type) return any_request{std::in_place_index<I>};
        return make_request<I + 1>(type);
    }
}

protocol_error fail(std::string_view code, std::string message) {
    return {std::string(code), std::move(message)};
}

} // namespace

std::string_view to_string(role r) {
    switch (r) {
    case role::customer: return "customer";
    case role::expert: return "expert";
    case role::monitor: return "monitor";
    }
    return "unknown";
}

std::optional<role> parse_role(std::string_view s) {
    for (auto r : {role::customer, role::expert, role::monitor})
        if (to_string(r) == s) return r;
    return std::nullopt;
}

bool nests_deeper_than(std::string_view text, int max_depth) {
    int depth = 0;
    bool in_string = false, escaped = false;
    for (char ch : text) {
        if (in_string) {
            if (escaped) escaped = false;
            else if (ch == '\\') escaped = true;
            else if (ch == '"') in_string = false;
            continue;
        }
        if (ch == '"') in_string = true;
        else if (ch == '[' || ch == '{') {
            if (++depth > max_depth) return true;
        } else if (ch == ']' || ch == '}') {
            --depth;
        }
    }
    return false;
}

nlohmann::json parse_json_once_per_key(std::string_view text, std::optional<std::string>& repeated) {
    // One set of keys per open object; a key seen twice in one object makes the text invalid,
    // instead of the last value silently winning.
    std::vector<std::vector<std::string>> open_objects;
    auto check = [&](int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
        using e = nlohmann::json::parse_event_t;
        if (event == e::object_start) open_objects.emplace_back();
        else if (event == e::object_end && !open_objects.empty()) open_objects.pop_back();
        else if (event == e::key && !open_objects.empty()) {
            auto& keys = open_objects.back();
            const auto& key = parsed.get_ref<const std::string&>();
            if (std::find(keys.begin(), keys.end(), key) != keys.end()) {
                if (!repeated) repeated = key;
            } else {
                keys.push_back(key);
            }
        }
        return true;
    };
    return nlohmann::json::parse(text, check, false);
}

parsed_request parse_request(std::string_view frame, const parse_limits& limits) {
    parsed_request out;
    if (frame.size() > limits.max_bytes) {
        out.error = fail(code::too_large, "the frame is larger than " +
                                              std::to_string(limits.max_bytes) + " bytes");
        return out;
    }
    if (nests_deeper_than(frame, limits.max_depth)) {
        out.error = fail(code::too_deep, "the frame nests deeper than " +
                                             std::to_string(limits.max_depth) + " levels");
        return out;
    }
    std::optional<std::string> repeated;
    auto j = parse_json_once_per_key(frame, repeated);
    if (repeated) {
        out.error = fail(code::bad_json, "the frame repeats the key '" + repeated->substr(0, 40) + "'");
        return out;
    }
    if (j.is_discarded()) {
        out.error = fail(code::bad_json, "the frame is not valid JSON (or not valid UTF-8)");
        return out;
    }
    if (!j.is_object()) {
        out.error = fail(code::not_an_object, "a frame must be a JSON object");
        return out;
    }
    if (auto id = j.find("id"); id != j.end() && !id->is_null()) {
        if (!id->is_string() || !valid_id(id->get_ref<const std::string&>())) {
            out.error = fail(code::bad_field, "field 'id' " + std::string(describe(field_kind::id)));
            return out;
        }
        out.id = id->get<std::string>();
    }
    auto type = j.find("type");
    if (type == j.end() || !type->is_string()) {
        out.error = fail(code::bad_field, "missing field 'type'");
        return out;
    }
    const auto& name = type->get_ref<const std::string&>();
    auto request = make_request(name);
    if (!request) {
        auto shown = name.size() > 40 ? name.substr(0, 40) + "..." : name;
        out.error = fail(code::unknown_type, "unknown message type '" + shown + "'");
        return out;
    }
    out.roles = roles_of(*request);
    out.type = type_of(*request);
    out.error = std::visit([&](auto& m) { return from_json_message(j, m); }, *request);
    if (!out.error) out.request = std::move(request);
    return out;
}

std::string_view type_of(const any_request& r) {
    return std::visit([](const auto& m) { return std::decay_t<decltype(m)>::type; }, r);
}

role_set roles_of(const any_request& r) {
    return std::visit([](const auto& m) { return std::decay_t<decltype(m)>::roles; }, r);
}

} // namespace chat::protocol
