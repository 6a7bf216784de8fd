#include "chat/queue/policy.hpp"

namespace chat::queue {

const business_calendar& policy::calendar_of(const std::string& region) const {
    auto it = regions.find(region);
    return it == regions.end() ? default_calendar : it->second;
}

} // namespace chat::queue
