#include "chat/queue/calendar.hpp"

#include <date/tz.h>

#include <algorithm>
#include <stdexcept>

namespace chat::queue {
namespace {

using std::chrono::days;
using std::chrono::sys_days;

// Far enough to cross any run of weekends and holidays, short enough to stop on a bad calendar.
constexpr int max_days_searched = 3660;

date::local_days as_local(sys_days d) { return date::local_days{d.time_since_epoch()}; }

} // namespace

weekend_days saturday_sunday() {
    weekend_days w{};
    w[0] = w[6] = true;
    return w;
}

weekend_days parse_weekend(std::string_view list) {
    static constexpr std::array<std::string_view, 7> shortnames{"sun", "mon", "tue", "wed",
                                                               "thu", "fri", "sat"};
    static constexpr std::array<std::string_view, 7> longnames{
        "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};
    weekend_days w{};
    while (!list.empty()) {
        auto comma = list.find(',');
        auto name = list.substr(0, comma);
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
        std::string lower;
        for (char ch : name)
            if (ch != ' ') lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
        if (lower.empty()) continue;
        bool found = false;
        for (std::size_t i = 0; i < 7; ++i)
            if (lower == shortnames[i] || lower == longnames[i]) w[i] = found = true;
        if (!found) throw std::invalid_argument("unknown weekday '" + std::string(name) + "'");
    }
    if (std::all_of(w.begin(), w.end(), [](bool b) { return b; }))
        throw std::invalid_argument("a weekend cannot be all seven days");
    return w;
}

business_calendar::business_calendar(std::string time_zone, weekend_days weekend,
                                     std::set<sys_days> holidays)
    : zone_name_(std::move(time_zone)), zone_(date::locate_zone(zone_name_)), weekend_(weekend),
      holidays_(std::move(holidays)) {}

bool business_calendar::is_business_day(sys_days local_day) const {
    auto wd = std::chrono::weekday{local_day};
    return !weekend_[wd.c_encoding()] && holidays_.count(local_day) == 0;
}

sys_days business_calendar::local_day(instant t) const {
    auto local = zone_->to_local(t);
    return sys_days{std::chrono::floor<days>(local).time_since_epoch()};
}

instant business_calendar::start_of(sys_days local_day) const {
    // choose::earliest maps a skipped local midnight to the transition instant.
    return std::chrono::time_point_cast<duration>(
        zone_->to_sys(as_local(local_day), date::choose::earliest));
}

instant business_calendar::business_days_deadline(instant from, int n) const {
    auto day = local_day(from);
    for (int counted = 0, searched = 0; counted < n; ++searched) {
        if (searched > max_days_searched)
            throw std::runtime_error("no business day found in ten years");
        day += days{1};
        if (is_business_day(day)) ++counted;
    }
    return start_of(day + days{1});
}

bool business_calendar::open_interval(sys_days local_day, const business_hours& hours,
                                      instant& begin, instant& end) const {
    if (hours.always) {
        begin = start_of(local_day);
        end = start_of(local_day + days{1});
        return true;
    }
    day_hours today{hours.open, hours.close};
    if (hours.week) {
        const auto& given = (*hours.week)[std::chrono::weekday{local_day}.c_encoding()];
        if (!given || is_holiday(local_day)) return false;
        today = *given;
    } else if (!is_business_day(local_day)) {
        return false;
    }
    if (today.close <= today.open) return false;
    begin = std::chrono::time_point_cast<duration>(
        zone_->to_sys(as_local(local_day) + today.open, date::choose::earliest));
    end = std::chrono::time_point_cast<duration>(
        zone_->to_sys(as_local(local_day) + today.close, date::choose::earliest));
    return begin < end;
}

bool business_calendar::is_open(instant t, const business_hours& hours) const {
    if (hours.always) return true;
    instant begin, end;
    return open_interval(local_day(t), hours, begin, end) && begin <= t && t < end;
}

instant business_calendar::next_open(instant t, const business_hours& hours) const {
    if (hours.always) return t;
    auto day = local_day(t);
    for (int i = 0; i <= max_days_searched; ++i, day += days{1}) {
        instant begin, end;
        if (open_interval(day, hours, begin, end) && t < end) return std::max(begin, t);
    }
    throw std::runtime_error("no opening hours found in ten years");
}

duration business_calendar::open_time_between(instant from, instant to,
                                              const business_hours& hours) const {
    if (to <= from) return duration::zero();
    if (hours.always) return to - from;
    duration total{};
    for (auto day = local_day(from), last = local_day(to); day <= last; day += days{1}) {
        instant begin, end;
        if (!open_interval(day, hours, begin, end)) continue;
        auto a = std::max(begin, from), b = std::min(end, to);
        if (a < b) total += b - a;
    }
    return total;
}

instant business_calendar::add_open_time(instant from, duration amount,
                                         const business_hours& hours) const {
    if (hours.always) return from + amount;
    auto day = local_day(from);
    for (int i = 0; i <= max_days_searched; ++i, day += days{1}) {
        instant begin, end;
        if (!open_interval(day, hours, begin, end)) continue;
        auto start = std::max(begin, from);
        if (start >= end) continue;
        if (amount <= end - start) return start + amount;
        amount -= end - start;
    }
    throw std::runtime_error("no opening hours found in ten years");
}

} // namespace chat::queue
