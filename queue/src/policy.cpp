#include "chat/queue/policy.hpp"

namespace chat::queue {

const business_calendar& policy::calendar_of(const std::string& region) const {
    auto it = regions.find(region);
    return it == regions.end() ? default_calendar : it->second;
}

const std::string& policy::hours_region(tier t, const std::string& region) const {
    const auto& own = of(t).calendar;
    return own.empty() ? region : own;
}

const business_calendar& policy::hours_calendar(tier t, const std::string& region) const {
    return calendar_of(hours_region(t, region));
}

std::set<std::string> skill_routing::required(tier t, severity s, const std::optional<std::string>& product_area) const {
    std::set<std::string> out;
    if (product_area)
        if (auto it = product_areas.find(*product_area); it != product_areas.end()) out = it->second;
    for (const auto& r : rules)
        if ((!r.for_tier || *r.for_tier == t) && s <= r.max_severity) out.insert(r.skills.begin(), r.skills.end());
    return out;
}

} // namespace chat::queue
