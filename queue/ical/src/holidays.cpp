#include "chat/ical/holidays.hpp"

#include <libical/ical.h>

#include <fstream>
#include <memory>
#include <sstream>

namespace chat::ical {
namespace {

using std::chrono::days;
using std::chrono::sys_days;

// Guards against a rule that would expand without end inside the range.
constexpr int max_occurrences_per_event = 100000;

struct component_deleter {
    void operator()(icalcomponent* c) const { icalcomponent_free(c); }
};
using component_ptr = std::unique_ptr<icalcomponent, component_deleter>;

sys_days day_of(const icaltimetype& t) {
    return sys_days{std::chrono::year{t.year} / t.month / t.day};
}

// The days an occurrence starting at `start` and lasting `length` covers.
void add_days(std::set<sys_days>& out, const icaltimetype& start, const icaltimetype& end) {
    auto first = day_of(start);
    sys_days last_exclusive = first + days{1};
    if (!icaltime_is_null_time(end)) {
        auto end_day = day_of(end);
        if (start.is_date)
            last_exclusive = std::max(end_day, first + days{1});
        else // a timed event covers the day its end falls in, unless it ends at midnight
            last_exclusive = (end.hour || end.minute || end.second) ? end_day + days{1} : std::max(end_day, first + days{1});
    }
    for (auto d = first; d < last_exclusive; d += days{1}) out.insert(d);
}

std::string first_error(icalcomponent* root) {
    for (auto* p = icalcomponent_get_first_property(root, ICAL_XLICERROR_PROPERTY); p;
         p = icalcomponent_get_next_property(root, ICAL_XLICERROR_PROPERTY))
        return icalproperty_get_xlicerror(p);
    for (auto* c = icalcomponent_get_first_component(root, ICAL_ANY_COMPONENT); c;
         c = icalcomponent_get_next_component(root, ICAL_ANY_COMPONENT)) {
        auto e = first_error(c);
        if (!e.empty()) return e;
    }
    return {};
}

void add_event(std::set<sys_days>& out, icalcomponent* ev, expansion_range range) {
    auto start = icalcomponent_get_dtstart(ev);
    if (icaltime_is_null_time(start) || !icaltime_is_valid_time(start))
        throw ical_error("an event has no valid DTSTART");
    auto end = icalcomponent_get_dtend(ev);
    auto length = icaltime_is_null_time(end) ? icaldurationtype_null_duration()
                                             : icaltime_subtract(end, start);

    auto* rule = icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY);
    if (!rule) {
        add_days(out, start, end);
        return;
    }
    std::set<sys_days> excluded;
    for (auto* p = icalcomponent_get_first_property(ev, ICAL_EXDATE_PROPERTY); p;
         p = icalcomponent_get_next_property(ev, ICAL_EXDATE_PROPERTY))
        excluded.insert(day_of(icalproperty_get_exdate(p)));

    auto* it = icalrecur_iterator_new(icalproperty_get_rrule(rule), start);
    if (!it) throw ical_error("an event has an RRULE libical cannot expand");
    int n = 0;
    for (auto t = icalrecur_iterator_next(it); !icaltime_is_null_time(t) && n < max_occurrences_per_event;
         t = icalrecur_iterator_next(it), ++n) {
        if (t.year > range.last_year) break;
        if (t.year < range.first_year || excluded.count(day_of(t))) continue;
        auto occurrence_end = icaltime_is_null_time(end) ? icaltime_null_time() : icaltime_add(t, length);
        add_days(out, t, occurrence_end);
    }
    icalrecur_iterator_free(it);
}

} // namespace

std::set<sys_days> parse_holidays(std::string_view ics, expansion_range range) {
    std::string text(ics);
    component_ptr root{icalparser_parse_string(text.c_str())};
    if (!root) throw ical_error("not an iCalendar document");
    auto kind = icalcomponent_isa(root.get());
    if (kind != ICAL_VCALENDAR_COMPONENT && kind != ICAL_VEVENT_COMPONENT)
        throw ical_error("not an iCalendar document (no VCALENDAR)");
    if (auto e = first_error(root.get()); !e.empty()) throw ical_error("invalid iCalendar: " + e);

    std::set<sys_days> out;
    if (kind == ICAL_VEVENT_COMPONENT) {
        add_event(out, root.get(), range);
        return out;
    }
    for (auto* ev = icalcomponent_get_first_component(root.get(), ICAL_VEVENT_COMPONENT); ev;
         ev = icalcomponent_get_next_component(root.get(), ICAL_VEVENT_COMPONENT))
        add_event(out, ev, range);
    return out;
}

std::set<sys_days> load_holidays(const std::string& path, expansion_range range) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ical_error("cannot read " + path);
    std::ostringstream text;
    text << in.rdbuf();
    try {
        return parse_holidays(text.str(), range);
    } catch (const ical_error& e) {
        throw ical_error(path + ": " + e.what());
    }
}

} // namespace chat::ical
