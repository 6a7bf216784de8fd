#include "chat/queue/response_target.hpp"

#include <charconv>

namespace chat::queue {
namespace {

constexpr long long max_seconds = 366LL * 24 * 3600;

} // namespace

std::optional<response_target> parse_response_target(std::string_view text) {
    long long n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc{} || end == text.data() || n <= 0 || n > max_seconds) return std::nullopt;
    std::string_view suffix(end, static_cast<std::size_t>(text.data() + text.size() - end));
    long long seconds = 0;
    bool business = false;
    if (suffix == "bd") return n <= 366 ? std::optional(response_target::end_of_business_day(static_cast<int>(n))) : std::nullopt;
    if (suffix == "s") seconds = n;
    else if (suffix == "m") seconds = n * 60;
    else if (suffix == "h") seconds = n * 3600;
    else if (suffix == "bm") seconds = n * 60, business = true;
    else if (suffix == "bh") seconds = n * 3600, business = true;
    else return std::nullopt;
    if (seconds > max_seconds) return std::nullopt;
    auto d = std::chrono::duration_cast<duration>(std::chrono::seconds(seconds));
    return business ? response_target::open_time(d) : response_target::wall_clock(d);
}

std::string to_string(const response_target& t) {
    if (t.in == response_target::unit::business_days) return std::to_string(t.days) + "bd";
    auto s = std::chrono::duration_cast<std::chrono::seconds>(t.amount).count();
    if (t.in == response_target::unit::business_hours)
        return s % 3600 == 0 ? std::to_string(s / 3600) + "bh" : std::to_string(s / 60) + "bm";
    if (s % 3600 == 0) return std::to_string(s / 3600) + "h";
    if (s % 60 == 0) return std::to_string(s / 60) + "m";
    return std::to_string(s) + "s";
}

instant due_at(const response_target& t, instant from, const business_calendar& calendar, const business_hours& hours) {
    switch (t.in) {
    case response_target::unit::wall: return from + t.amount;
    case response_target::unit::business_hours: return calendar.add_open_time(from, t.amount, hours);
    case response_target::unit::business_days: return calendar.business_days_deadline(from, t.days);
    }
    return from + t.amount;
}

} // namespace chat::queue
