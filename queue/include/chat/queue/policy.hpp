#pragma once
// Every knob of the routing and lifecycle policy, with the defaults support policies promise.

#include "chat/queue/calendar.hpp"
#include "chat/queue/response_target.hpp"
#include "chat/queue/types.hpp"

#include <array>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace chat::queue {

using namespace std::chrono_literals;

// How one tier is treated.
struct tier_policy {
    business_hours hours;
    // Aging: after this wait a conversation ranks with the tier above (off when empty).
    std::optional<duration> max_wait;
    // First-response targets per severity (index 0 = severity 1).
    std::array<duration, 4> first_response_target{};
    // Count SLA time in business hours only.
    bool sla_in_business_time = false;
    // The region calendar (a key of policy::regions) the hours follow, a team's own zone and
    // holidays; empty: the customer's region.
    std::string calendar{};
    // An escalated ticket's initial-contact target per severity (index 0 = severity 1).
    std::array<response_target, 4> initial_contact{};
    // Next response: an expert answers a customer who wrote since an expert last did, within
    // this (per severity; none: not measured). Runs from the customer's first such message.
    std::array<std::optional<response_target>, 4> next_response{};
    // While it is active, an expert writes at least this often (per severity; none: no cadence).
    std::array<std::optional<response_target>, 4> update_every{};
    // Outside the tier's hours a conversation this severe or more (1 is the most severe)
    // notifies on-call instead of waiting silently for the opening (0: none).
    int on_call_severity = 0;
    bool calls_on_call(severity s) const { return s <= on_call_severity; }
};

// One rule of which skills a conversation needs: for a tier (or any) at severities up to
// `max_severity` (1 is the most severe).
struct skill_rule {
    std::optional<tier> for_tier;
    severity max_severity = queue::max_severity;
    std::set<std::string> skills;
};

// The skills a conversation needs, from the product area its page names and from the rules.
struct skill_routing {
    std::map<std::string, std::set<std::string>> product_areas; // area id -> skills
    std::vector<skill_rule> rules;
    // An area not configured adds nothing: routing must not stall on a page's typo.
    std::set<std::string> required(tier t, severity s, const std::optional<std::string>& product_area) const;
};

struct policy {
    std::array<tier_policy, tier_count> tiers{
        // Initial contact as in the Dynatrace support policy's table.
        tier_policy{business_hours::around_the_clock(), std::nullopt, {2min, 2min, 2min, 2min}, false, "",
                    {response_target::wall_clock(30min), response_target::wall_clock(4h),
                     response_target::end_of_business_day(1), response_target::end_of_business_day(2)}},
        tier_policy{business_hours{}, std::nullopt, {5min, 5min, 5min, 5min}, true, "",
                    {response_target::open_time(4h), response_target::end_of_business_day(1),
                     response_target::end_of_business_day(2), response_target::end_of_business_day(4)}},
    };

    // Rank by priority (high, normal, low) before severity within a tier.
    bool rank_by_priority = false;

    int default_capacity = 3;
    duration offer_timeout = 30s;
    duration disconnect_grace = 120s;
    duration stay_grace = 15min;
    bool hold_frees_capacity = true;
    duration hold_return_window = 2min;
    duration inactivity_active = 30min;
    duration inactivity_on_hold = 24h;
    int reopen_business_days = 7;

    int max_open_per_customer = 3;
    double duplicate_threshold = 0.5;

    std::vector<std::string> conduct_words;
    int conduct_max_offences = 3;
    duration conduct_restriction = 24h;

    // Handle time assumed for the estimated wait until real ones are observed.
    duration initial_handle_time = 10min;
    // Emit position/estimated-wait updates for queued conversations,
    bool track_positions = true;
    // from a pass over the whole line at most once per interval: an event after a quiet
    // interval reports at once, the events of a busy one at its end (a pass costs the line's
    // length, so a pass per event made a burst of arrivals cost its square). 0: every event.
    duration position_interval = 1s;

    skill_routing skills;

    // Video calls an expert may offer (Dynatrace's Zoom triage): the meeting link's template
    // (none: no calls) and the severities they are for (1 to max_severity).
    struct video_calls {
        std::string meeting_url;
        int max_severity = 1;
        bool allow(queue::severity s) const { return !meeting_url.empty() && s <= max_severity; }
    };
    video_calls calls;

    // Region calendars by region id; unknown regions use `default_calendar`.
    std::map<std::string, business_calendar> regions;
    business_calendar default_calendar = business_calendar("UTC");

    const tier_policy& of(tier t) const { return tiers[static_cast<int>(t)]; }
    const business_calendar& calendar_of(const std::string& region) const;
    // The region whose calendar `t`'s hours and SLA time follow for a customer of `region`
    // (the tier's own `calendar`, else `region`), and that calendar.
    const std::string& hours_region(tier t, const std::string& region) const;
    const business_calendar& hours_calendar(tier t, const std::string& region) const;
};

} // namespace chat::queue
