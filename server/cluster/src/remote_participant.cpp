#include "chat/server/cluster/remote_participant.hpp"

namespace chat::server::cluster {

void write_identity(bus_writer& w, const identity& who) {
    std::string skills;
    for (const auto& s : who.skills) skills += (skills.empty() ? "" : ",") + s;
    w.add(protocol::to_string(who.role))
        .add(who.subject)
        .add(who.tenant)
        .add(queue::to_string(who.tier))
        .add(who.region)
        .add(who.name)
        .add(static_cast<std::uint64_t>(who.expires_at.time_since_epoch().count()))
        .add(skills);
}

std::optional<identity> read_identity(bus_reader& r) {
    auto role = r.next(), subject = r.next(), tenant = r.next(), tier = r.next(), region = r.next(), name = r.next();
    auto expires = r.number();
    auto skills = r.next();
    if (!skills) return std::nullopt;
    auto parsed_role = protocol::parse_role(*role);
    auto parsed_tier = queue::parse_tier(*tier);
    if (!parsed_role || !parsed_tier) return std::nullopt;
    identity who{*parsed_role, std::string(*subject), std::string(*tenant), *parsed_tier, std::string(*region),
                 std::string(*name), queue::instant(queue::duration(static_cast<long long>(*expires))), {}};
    std::string_view rest = *skills;
    while (!rest.empty()) {
        auto comma = rest.find(',');
        who.skills.emplace_back(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
    return who;
}

} // namespace chat::server::cluster
