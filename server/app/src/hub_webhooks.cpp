// A team lead's view of the tenant's webhook deliveries that were given up, and their replay.

#include "chat/server/app/hub.hpp"

#include "hub_shared.hpp"

#include "chat/protocol/iso8601.hpp"

#include <algorithm>
#include <cctype>

namespace chat::server {
namespace {

constexpr std::size_t dead_letters_read = 1000; // the shard's newest, of which the tenant's are shown


// A stream entry id: digits, a dash, digits.
bool entry_id(std::string_view id) {
    auto dash = id.find('-');
    auto digits = [](std::string_view s) {
        return !s.empty() && s.size() <= 20 && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
    };
    return dash != std::string_view::npos && digits(id.substr(0, dash)) && digits(id.substr(dash + 1));
}

} // namespace

void hub::read_dead_letters(identity who, std::string query, reply_handler done) {
    if (who.role != protocol::role::monitor) return done(403, refusal("wrong_role", "team leads (monitors) only"));
    auto q = nlohmann::json::parse(query, nullptr, false);
    auto limit = std::clamp<std::size_t>(q.is_object() ? q.value("limit", std::size_t{100}) : 100, 1, 1000);
    store_->webhook_dead_letters(dead_letters_read, [who, limit, done](std::error_code ec, std::vector<webhook_dead_letter> found) {
        if (ec) return done(503, refusal("unavailable", "Redis is unavailable"));
        auto list = nlohmann::json::array();
        for (const auto& d : found) {
            if (d.event.tenant != who.tenant) continue;
            if (list.size() == limit) break;
            auto body = nlohmann::json::parse(d.event.body, nullptr, false);
            list.push_back({{"id", d.id},
                            {"endpoint", d.endpoint},
                            {"event", d.event.event},
                            {"type", d.event.type},
                            {"created_at", protocol::format_instant(d.event.at)},
                            {"given_up_at", protocol::format_instant(d.at)},
                            {"tries", d.tries},
                            {"error", d.error},
                            {"body", body.is_discarded() ? nlohmann::json(d.event.body) : body}});
        }
        done(200, {{"dead_letters", list}});
    });
}

void hub::replay_dead_letter(identity who, std::string id, reply_handler done) {
    if (who.role != protocol::role::monitor) return done(403, refusal("wrong_role", "team leads (monitors) only"));
    if (!entry_id(id)) return done(400, refusal("bad_field", "not a dead letter id"));
    // Kept in the audit log like any action of a team lead, by the replay itself.
    auto by = audit_of(who, "replay_webhook", "", id, clock_.now());
    store_->replay_dead_letter(id, who.tenant, by, [self = shared_from_this(), id, done](std::error_code ec, bool found) {
        if (ec) return done(503, refusal("unavailable", "Redis is unavailable"));
        if (!found) return done(404, refusal("not_found", "no such dead letter of this tenant (already replayed?)"));
        // The shard's sender takes it at once.
        if (self->hooks_.webhooks_written) self->hooks_.webhooks_written();
        done(200, {{"replayed", id}});
    });
}

} // namespace chat::server
