// The tenant's audit log: what staff did (and what chatd did on their behalf, as "system"),
// appended in the commit of the action itself, read back by team leads.

#include "chat/server/app/hub.hpp"

#include "hub_shared.hpp"

#include <boost/asio/post.hpp>

namespace chat::server {
namespace {

constexpr std::size_t page_limit = 1000;


} // namespace

audit_entry hub::audit_of(const identity& who, std::string_view action, const std::string& conversation, std::string detail,
                          queue::instant at) {
    bool system = who.subject.empty();
    return {who.tenant, system ? "chatd" : who.tenant + '/' + who.subject,
            system ? "system" : std::string(protocol::to_string(who.role)), std::string(action), conversation,
            std::move(detail), at, random_hex(9)};
}

void hub::audit(step& s, const identity& who, std::string_view action, const std::string& conversation, std::string detail) {
    s.writes.audit.push_back(audit_of(who, action, conversation, std::move(detail), s.now));
}

void hub::read_audit(identity who, std::string query, reply_handler done) {
    if (who.role != protocol::role::monitor) return done(403, refusal("wrong_role", "team leads (monitors) only"));
    auto q = nlohmann::json::parse(query, nullptr, false);
    auto from = q.is_object() ? protocol::parse_instant(q.value("from", "")) : std::nullopt;
    auto until = q.is_object() ? protocol::parse_instant(q.value("to", "")) : std::nullopt;
    if (!from || !until || *until < *from)
        return done(400, refusal("bad_field", "from= and to= are ISO-8601 instants, from before to"));
    auto limit = std::clamp<std::size_t>(q.is_object() ? q.value("limit", page_limit) : page_limit, 1, page_limit);
    store_->audit(who.tenant, *from, *until, limit, [limit, done](std::error_code ec, std::vector<audit_entry> found) {
        if (ec) return done(503, refusal("unavailable", "Redis is unavailable"));
        bool more = found.size() > limit;
        if (more) found.pop_back();
        auto entries = nlohmann::json::array();
        for (const auto& e : found)
            entries.push_back({{"id", e.id}, {"at", protocol::format_instant(e.at)}, {"actor", e.actor}, {"role", e.role},
                               {"action", e.action}, {"conversation", e.conversation}, {"detail", e.detail}});
        done(200, {{"entries", entries}, {"more", more}});
    });
}

} // namespace chat::server
