#include "chat/protocol/codec.hpp"

#include <limits>

namespace chat::protocol {

bool valid_id(std::string_view s) {
    if (s.empty() || s.size() > 64) return false;
    for (unsigned char ch : s) {
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                  ch == '.' || ch == '_' || ch == ':' || ch == '@' || ch == '-';
        if (!ok) return false;
    }
    return true;
}

std::string_view describe(field_kind k) {
    switch (k) {
    case field_kind::id: return "must be 1-64 characters of A-Z a-z 0-9 . _ : @ -";
    case field_kind::token: return "must be a token of at most 8192 characters";
    case field_kind::text: return "must be text of 1-4000 bytes, without control characters but tab and newline";
    case field_kind::note: return "must be text of at most 2000 bytes, without control characters but tab and newline";
    case field_kind::comment: return "must be text of at most 2000 bytes, without control characters but tab and newline";
    case field_kind::instant: return "must be an ISO-8601 instant such as 2026-11-21T09:30:00Z";
    case field_kind::rating: return "must be an integer from 1 to 5";
    case field_kind::severity: return "must be an integer from 1 to 4";
    case field_kind::capacity: return "must be an integer from 0 to 100";
    case field_kind::sequence: return "must be a non-negative integer";
    case field_kind::presence: return "must be \"available\", \"away\" or \"offline\"";
    case field_kind::flag: return "must be true or false";
    case field_kind::ids: return "must be a list of at most 50 ids (1-64 characters of A-Z a-z 0-9 . _ : @ -)";
    case field_kind::minutes: return "must be an integer from 1 to 43200";
    case field_kind::request_type: return "must be \"problem\", \"question\", \"feature_request\" or \"request\"";
    case field_kind::priority: return "must be \"high\", \"normal\" or \"low\"";
    }
    return "is invalid";
}

namespace detail {
namespace {

std::optional<std::string> wrong(field_kind k) { return std::string(describe(k)); }

bool in_length(std::string_view s, std::size_t lo, std::size_t hi) {
    return s.size() >= lo && s.size() <= hi;
}

// Text people write: no NUL or other control characters, but newlines and tabs.
bool printable(std::string_view s) {
    for (unsigned char ch : s)
        if ((ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') || ch == 0x7f) return false;
    return true;
}

} // namespace

std::optional<std::string> read_field(const nlohmann::json& v, field_kind k, std::string& out) {
    if (!v.is_string()) return wrong(k);
    const auto& s = v.get_ref<const std::string&>();
    bool ok = false;
    switch (k) {
    case field_kind::id: ok = valid_id(s); break;
    case field_kind::token: ok = in_length(s, 1, 8192); break;
    case field_kind::text: ok = in_length(s, 1, 4000) && printable(s); break;
    case field_kind::note:
    case field_kind::comment: ok = in_length(s, 0, 2000) && printable(s); break;
    case field_kind::presence: ok = queue::parse_presence(s).has_value(); break;
    case field_kind::request_type: ok = queue::parse_request_type(s).has_value(); break;
    case field_kind::priority: ok = queue::parse_priority(s).has_value(); break;
    default: break;
    }
    if (!ok) return wrong(k);
    out = s;
    return std::nullopt;
}

std::optional<std::string> read_field(const nlohmann::json& v, field_kind k, std::vector<std::string>& out) {
    if (!v.is_array() || v.size() > 50) return wrong(k);
    std::vector<std::string> ids;
    for (const auto& e : v) {
        if (!e.is_string() || !valid_id(e.get_ref<const std::string&>())) return wrong(k);
        ids.push_back(e.get<std::string>());
    }
    out = std::move(ids);
    return std::nullopt;
}

std::optional<std::string> read_field(const nlohmann::json& v, field_kind k, int& out) {
    if (!v.is_number_integer()) return wrong(k);
    auto n = v.get<std::int64_t>();
    auto [lo, hi] = k == field_kind::rating     ? std::pair{1, 5}
                    : k == field_kind::severity ? std::pair{1, 4}
                    : k == field_kind::minutes  ? std::pair{1, 43200}
                                                : std::pair{0, 100};
    if (n < lo || n > hi) return wrong(k);
    out = static_cast<int>(n);
    return std::nullopt;
}

std::optional<std::string> read_field(const nlohmann::json& v, field_kind k, std::uint64_t& out) {
    if (!v.is_number_integer()) return wrong(k);
    if (v.is_number_unsigned()) {
        out = v.get<std::uint64_t>();
    } else {
        auto n = v.get<std::int64_t>();
        if (n < 0) return wrong(k);
        out = static_cast<std::uint64_t>(n);
    }
    if (out > (std::uint64_t{1} << 53)) return wrong(k);
    return std::nullopt;
}

std::optional<std::string> read_field(const nlohmann::json& v, field_kind k, bool& out) {
    if (!v.is_boolean()) return wrong(k);
    out = v.get<bool>();
    return std::nullopt;
}

std::optional<std::string> read_field(const nlohmann::json& v, field_kind k, queue::instant& out) {
    if (!v.is_string()) return wrong(k);
    auto t = parse_instant(v.get_ref<const std::string&>());
    if (!t) return wrong(k);
    out = *t;
    return std::nullopt;
}

} // namespace detail
} // namespace chat::protocol
