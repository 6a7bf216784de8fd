#pragma once
// A Redis reply as plain data, so nothing outside the client sees hiredis types.

#include <string>
#include <system_error>
#include <vector>

namespace chat::server::redis {

struct value {
    enum class kind { nil, integer, string, status, error, array };
    kind type = kind::nil;
    long long integer = 0;
    std::string text; // string, status or error
    std::vector<value> elements;

    bool is_error() const { return type == kind::error; }
    bool is_nil() const { return type == kind::nil; }
};

// An error reply as an error code: `loading` while Redis loads its dataset, else `error_reply`.
std::error_code error_of(const value& v);

using command = std::vector<std::string>;

// Why a request got no usable reply.
// `fenced`: a write of a shard whose lease this node no longer holds (another took it).
enum class errc { unavailable = 1, timeout, stopped, loading, error_reply, fenced, not_replicated };
const std::error_category& category();
inline std::error_code make_error_code(errc e) { return {static_cast<int>(e), category()}; }

} // namespace chat::server::redis

template <> struct std::is_error_code_enum<chat::server::redis::errc> : std::true_type {};
