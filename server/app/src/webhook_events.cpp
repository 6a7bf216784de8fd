#include "chat/server/app/webhook_events.hpp"

#include "hub_shared.hpp"

#include "chat/protocol/iso8601.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>

namespace chat::server::webhook_events {
namespace {

using nlohmann::json;
namespace fx = queue::effect;


json when(std::optional<queue::instant> t) { return t ? json(protocol::format_instant(*t)) : json(nullptr); }

// What every event says of its conversation: enough to file or find it in a ticket system.
json describe(const queue::core& core, const queue::conversation& c) {
    json customer{{"user", c.customer.user}, {"name", c.customer_name}, {"tier", queue::to_string(c.customer.tier)},
                  {"region", c.customer.region}};
    json expert = nullptr;
    if (const auto* x = c.expert ? core.find_expert(*c.expert) : nullptr) expert = {{"id", x->id}, {"name", x->name}};
    else if (c.expert) expert = {{"id", *c.expert}, {"name", ""}};
    return {{"id", c.id},
            {"customer", std::move(customer)},
            {"topic", c.topic},
            {"severity", c.severity},
            {"priority", queue::to_string(c.priority)},
            {"request_type", c.request_type ? json(queue::to_string(*c.request_type)) : json(nullptr)},
            {"state", queue::to_string(c.state)},
            {"opened_at", protocol::format_instant(c.opened_at)},
            {"first_queued_at", protocol::format_instant(c.first_queued_at)},
            {"assigned_at", when(c.assigned_at)},
            {"closed_at", when(c.closed_at)},
            {"expert", std::move(expert)},
            {"ticket", c.ticket ? json(*c.ticket) : json(nullptr)},
            {"messages", c.messages.last_seq()}};
}

std::string event_id(std::mt19937_64& ids) {
    char text[21];
    std::snprintf(text, sizeof text, "evt_%016llx", static_cast<unsigned long long>(ids()));
    return text;
}

} // namespace

bool known(std::string_view type) { return std::find(types.begin(), types.end(), type) != types.end(); }

void collect(const queue::outcome& out, const queue::core& core, queue::instant now, const std::set<std::string>& wanted,
             std::mt19937_64& ids, std::vector<webhook_event>& into) {
    if (wanted.empty()) return;
    auto add = [&](const char* type, const queue::conversation_id& id, json data) {
        if (!wanted.count(type)) return;
        const auto* c = core.find(id);
        if (!c) return;
        data["conversation"] = describe(core, *c);
        webhook_event e{event_id(ids), type, c->customer.tenant, {}, now};
        e.body = json{{"id", e.event}, {"type", type}, {"created_at", protocol::format_instant(now)},
                      {"tenant", c->customer.tenant}, {"data", std::move(data)}}
                     .dump(-1, ' ', false, json::error_handler_t::replace);
        into.push_back(std::move(e));
    };
    for (const auto& effect : out.effects)
        std::visit(overloaded{
                       [&](const fx::opened& o) { add("conversation.opened", o.conversation, json::object()); },
                       [&](const fx::assigned& a) {
                           const auto* c = core.find(a.conversation);
                           auto waited = c ? std::chrono::duration_cast<std::chrono::seconds>(now - c->first_queued_at).count() : 0;
                           add("conversation.assigned", a.conversation, {{"expert", a.expert}, {"waited_s", waited}});
                       },
                       [&](const fx::closed& c) {
                           add("conversation.closed", c.conversation, {{"reason", queue::to_string(c.reason)}});
                       },
                       [&](const fx::ticket& t) {
                           // The transcript and internal notes are read from their streams when it is
                           // sent: up to this message, and notes written until now.
                           add("ticket.created", t.conversation,
                               {{"ticket",
                                 {{"id", t.id},
                                  {"summary", t.summary},
                                  {"escalated_by", t.expert},
                                  {"severity", t.severity},
                                  {"respond_by", protocol::format_instant(t.respond_by)}}}});
                       },
                       [&](const fx::survey_recorded& s) {
                           add("survey.answered", s.conversation, {{"rating", s.rating}, {"comment", s.comment}});
                       },
                       [&](const fx::sla_breached& b) {
                           json breach{{"clock", queue::to_string(b.clock)}, {"target", queue::to_string(b.target)}};
                           if (b.target.in != queue::response_target::unit::business_days)
                               breach["target_s"] = std::chrono::duration_cast<std::chrono::seconds>(b.target.amount).count();
                           add("sla.breached", b.conversation, std::move(breach));
                       },
                       [&](const fx::deferred& d) {
                           // On-call's page: severe, and nobody is on shift until the opening.
                           if (d.on_call) add("conversation.after_hours", d.conversation, {{"opens_at", protocol::format_instant(d.opens_at)}});
                       },
                       [&](const fx::sla_predicted& p) {
                           json prediction{{"clock", "first_response"}, {"due", protocol::format_instant(p.due)}};
                           prediction["estimated_wait_s"] =
                               p.estimated_wait ? json(std::chrono::duration_cast<std::chrono::seconds>(*p.estimated_wait).count())
                                                : json(nullptr);
                           add("sla.predicted", p.conversation, std::move(prediction));
                       },
                       [](const auto&) {},
                   },
                   effect);
}

} // namespace chat::server::webhook_events
