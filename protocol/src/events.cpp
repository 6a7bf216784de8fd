#include "chat/protocol/events.hpp"

#include "chat/protocol/iso8601.hpp"

namespace chat::protocol::event {

void to_json(nlohmann::json& j, const hand_off_card& h) {
    j = {{"from", h.from}, {"from_name", h.from_name}, {"note", h.note}, {"at", format_instant(h.at)}};
}

} // namespace chat::protocol::event
