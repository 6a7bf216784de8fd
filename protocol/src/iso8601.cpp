#include "chat/protocol/iso8601.hpp"

#include <charconv>
#include <cstdio>

namespace chat::protocol {
namespace {

// Reads exactly `n` digits at `pos`.
bool digits(std::string_view s, std::size_t& pos, int n, int& value) {
    if (pos + n > s.size()) return false;
    auto [end, ec] = std::from_chars(s.data() + pos, s.data() + pos + n, value);
    if (ec != std::errc{} || end != s.data() + pos + n) return false;
    pos += n;
    return true;
}

bool expect(std::string_view s, std::size_t& pos, char ch) {
    if (pos >= s.size() || s[pos] != ch) return false;
    ++pos;
    return true;
}

} // namespace

std::optional<queue::instant> parse_instant(std::string_view s) {
    using namespace std::chrono;
    std::size_t pos = 0;
    int y, mo, d, h, mi, sec;
    if (!digits(s, pos, 4, y) || !expect(s, pos, '-') || !digits(s, pos, 2, mo) ||
        !expect(s, pos, '-') || !digits(s, pos, 2, d) || pos >= s.size() ||
        (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' '))
        return std::nullopt;
    ++pos;
    if (!digits(s, pos, 2, h) || !expect(s, pos, ':') || !digits(s, pos, 2, mi) ||
        !expect(s, pos, ':') || !digits(s, pos, 2, sec))
        return std::nullopt;
    int millis = 0;
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
        ++pos;
        int scale = 100, count = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            millis += (s[pos] - '0') * scale;
            scale /= 10;
            ++pos;
            ++count;
        }
        if (count == 0) return std::nullopt;
    }
    minutes offset{0};
    if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
        ++pos;
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
        int sign = s[pos++] == '-' ? -1 : 1, oh, om;
        if (!digits(s, pos, 2, oh) || !expect(s, pos, ':') || !digits(s, pos, 2, om) || oh > 23 || om > 59)
            return std::nullopt;
        offset = minutes{sign * (oh * 60 + om)};
    } else {
        return std::nullopt;
    }
    if (pos != s.size()) return std::nullopt;
    year_month_day date{year{y}, month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
    if (!date.ok() || h > 23 || mi > 59 || sec > 59) return std::nullopt;
    return sys_days{date} + hours{h} + minutes{mi} + seconds{sec} + milliseconds{millis} - offset;
}

std::string format_instant(queue::instant t) {
    using namespace std::chrono;
    auto secs = floor<seconds>(t);
    auto day = floor<days>(secs);
    year_month_day ymd{day};
    hh_mm_ss hms{secs - day};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
    return buf;
}

} // namespace chat::protocol
