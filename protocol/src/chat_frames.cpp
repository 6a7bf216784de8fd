#include "chat/protocol/codec.hpp"
#include "chat/protocol/events.hpp"

#include <charconv>

namespace chat::protocol {
namespace {

// Length of the well-formed UTF-8 sequence at the start of `s` (the rules nlohmann/json's
// decoder applies: no overlong forms, no surrogates, nothing above U+10FFFF), or 0.
std::size_t utf8_sequence(std::string_view s) {
    auto at = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    auto follows = [&](std::size_t i, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
        return i < s.size() && at(i) >= lo && at(i) <= hi;
    };
    unsigned char c = at(0);
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) return follows(1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        bool second = c == 0xE0   ? follows(1, 0xA0)
                      : c == 0xED ? follows(1, 0x80, 0x9F)
                                  : follows(1);
        return second && follows(2) ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        bool second = c == 0xF0   ? follows(1, 0x90)
                      : c == 0xF4 ? follows(1, 0x80, 0x8F)
                                  : follows(1);
        return second && follows(2) && follows(3) ? 4 : 0;
    }
    return 0;
}

// Appends `s` as a JSON string; false (and `out` unfinished) when `s` is not valid UTF-8.
bool append_string(std::string& out, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    out += '"';
    for (std::size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            auto n = utf8_sequence(s.substr(i));
            if (n == 0) return false;
            out.append(s.data() + i, n);
            i += n;
            continue;
        }
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (c < 0x20) {
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 0xF];
            } else {
                out += static_cast<char>(c);
            }
        }
        ++i;
    }
    out += '"';
    return true;
}

void append_number(std::string& out, std::uint64_t n) {
    char digits[20];
    auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
    out.append(digits, end);
}

// Writes `"name":value` pairs after an object's opening `{"type":"…"`; `ok` falls to false at
// the first string that is not valid UTF-8 (the caller then takes the generic path, which
// replaces what is invalid).
class flat_object {
  public:
    flat_object(std::string_view type, std::size_t reserve) {
        out_.reserve(reserve);
        out_ += "{\"type\":\"";
        out_ += type;
        out_ += '"';
    }
    void string(std::string_view name, std::string_view value) {
        key(name);
        ok = ok && append_string(out_, value);
    }
    void number(std::string_view name, std::uint64_t value) {
        key(name);
        append_number(out_, value);
    }
    void instant(std::string_view name, queue::instant value) {
        key(name);
        out_ += '"';
        out_ += format_instant(value); // digits, '-', ':', 'T' and 'Z' only
        out_ += '"';
    }
    std::string done() {
        out_ += '}';
        return std::move(out_);
    }
    bool ok = true;

  private:
    void key(std::string_view name) {
        out_ += ",\"";
        out_ += name;
        out_ += "\":";
    }
    std::string out_;
};

template <class M> std::string generic_text(const M& m) {
    return to_json_message(m).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace

std::string to_text(const event::message& m) {
    if (m.attachment || m.call_url || m.ticket) return generic_text(m);
    flat_object o(event::message::type, 128 + m.text.size() + m.name.size());
    o.string("conversation", m.conversation);
    o.number("seq", m.seq);
    o.string("from", m.from);
    o.string("name", m.name);
    o.string("text", m.text);
    o.instant("at", m.at);
    if (m.client_id) o.string("client_id", *m.client_id);
    return o.ok ? o.done() : generic_text(m);
}

std::string to_text(const event::ok& m) {
    flat_object o(event::ok::type, 96);
    if (m.id) o.string("id", *m.id);
    if (m.conversation) o.string("conversation", *m.conversation);
    if (m.seq) o.number("seq", *m.seq);
    if (m.at) o.instant("at", *m.at);
    return o.ok ? o.done() : generic_text(m);
}

} // namespace chat::protocol
