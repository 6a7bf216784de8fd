#pragma once
// The visitors behind to_json_message / from_json_message: one rule per field kind.

#include "chat/protocol/iso8601.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace chat::protocol::detail {

// Each returns an error message, or nothing when `v` is a valid value of kind `k`.
std::optional<std::string> read_field(const nlohmann::json& v, field_kind k, std::string& out);
std::optional<std::string> read_field(const nlohmann::json& v, field_kind k, int& out);
std::optional<std::string> read_field(const nlohmann::json& v, field_kind k, std::uint64_t& out);
std::optional<std::string> read_field(const nlohmann::json& v, field_kind k, bool& out);
std::optional<std::string> read_field(const nlohmann::json& v, field_kind k, std::vector<std::string>& out);
std::optional<std::string> read_field(const nlohmann::json& v, field_kind k, queue::instant& out);

template <class T> struct is_optional : std::false_type {};
template <class T> struct is_optional<std::optional<T>> : std::true_type {};

class field_reader {
public:
    explicit field_reader(const nlohmann::json& j) : json_(j) {}
    std::optional<protocol_error> error;

    template <class T> void operator()(const char* name, T& value, field_kind kind) {
        if (error) return;
        auto it = json_.find(name);
        bool absent = it == json_.end() || it->is_null();
        if constexpr (is_optional<T>::value) {
            if (absent) return;
            typename T::value_type v{};
            if (check(name, *it, kind, v)) value = std::move(v);
        } else {
            if (absent) {
                error = protocol_error{std::string(code::bad_field),
                                       std::string("missing field '") + name + "'"};
                return;
            }
            check(name, *it, kind, value);
        }
    }

private:
    template <class T> bool check(const char* name, const nlohmann::json& v, field_kind kind, T& out) {
        auto problem = read_field(v, kind, out);
        if (!problem) return true;
        error = protocol_error{std::string(code::bad_field),
                               std::string("field '") + name + "' " + *problem};
        return false;
    }
    const nlohmann::json& json_;
};

class field_writer;
// A record of fields (an event, or a part of one such as a queue entry): it has visit().
template <class T> concept record = requires(T& t, field_writer& w) { t.visit(w); };
template <class T> concept typed_record = record<T> && requires { T::type; };
template <class T> struct is_record_list : std::false_type {};
template <record T> struct is_record_list<std::vector<T>> : std::true_type {};

class field_writer {
public:
    nlohmann::json json = nlohmann::json::object();

    template <class T> void operator()(const char* name, const T& value, field_kind = field_kind::note) {
        json[name] = to_value(value);
    }
    // Written even when empty, as null.
    template <class T> void operator()(const char* name, const nullable<T>& value, field_kind = field_kind::note) {
        json[name] = value ? to_value(*value) : nlohmann::json(nullptr);
    }
    template <class T> void operator()(const char* name, const std::optional<T>& value, field_kind = field_kind::note) {
        if (value) json[name] = to_value(*value);
    }

private:
    template <class T> static nlohmann::json to_value(const T& value) {
        if constexpr (std::is_same_v<T, queue::instant>) {
            return format_instant(value);
        } else if constexpr (record<T>) {
            field_writer inner;
            if constexpr (typed_record<T>) inner.json["type"] = T::type;
            // visit() only reads here; it is non-const so that one list of fields serves both ways.
            const_cast<T&>(value).visit(inner);
            return std::move(inner.json);
        } else if constexpr (is_record_list<T>::value) {
            nlohmann::json list = nlohmann::json::array();
            for (const auto& e : value) list.push_back(to_value(e));
            return list;
        } else {
            return value;
        }
    }
};

} // namespace chat::protocol::detail

namespace chat::protocol {

template <class M> nlohmann::json to_json_message(const M& m) {
    detail::field_writer w;
    w("m", m);
    return std::move(w.json["m"]);
}

template <class M> std::optional<protocol_error> from_json_message(const nlohmann::json& j, M& m) {
    detail::field_reader r(j);
    m.visit(r);
    return r.error;
}

} // namespace chat::protocol
