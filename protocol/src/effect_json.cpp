#include "chat/protocol/effect_json.hpp"

#include "chat/protocol/iso8601.hpp"
#include "chat/queue/errors.hpp"

namespace chat::protocol {
namespace {

using nlohmann::json;
namespace fx = queue::effect;

double seconds(queue::duration d) { return static_cast<double>(d.count()) / 1000.0; }

json timer_json(const queue::timer& t) {
    return {{"kind", queue::to_string(t.kind)}, {"subject", t.subject}, {"due", format_instant(t.due)}};
}

template <class... F> struct overloaded : F... { using F::operator()...; };
template <class... F> overloaded(F...) -> overloaded<F...>;

} // namespace

json effect_to_json(const queue::any_effect& e) {
    return std::visit(
        overloaded{
            [](const fx::opened& x) { return json{{"effect", "opened"}, {"conversation", x.conversation}}; },
            [](const fx::state_changed& x) {
                return json{{"effect", "state_changed"}, {"conversation", x.conversation},
                            {"from", queue::to_string(x.from)}, {"to", queue::to_string(x.to)}};
            },
            [](const fx::queued& x) {
                json j{{"effect", "queued"}, {"conversation", x.conversation}, {"position", x.position}};
                j["estimated_wait_s"] = x.estimated_wait ? json(seconds(*x.estimated_wait)) : json(nullptr);
                return j;
            },
            [](const fx::deferred& x) {
                return json{{"effect", "deferred"}, {"conversation", x.conversation},
                            {"opens_at", format_instant(x.opens_at)}};
            },
            [](const fx::offered& x) {
                return json{{"effect", "offered"}, {"conversation", x.conversation}, {"expert", x.expert},
                            {"expires_at", format_instant(x.expires_at)}};
            },
            [](const fx::offer_withdrawn& x) {
                return json{{"effect", "offer_withdrawn"}, {"conversation", x.conversation},
                            {"expert", x.expert}, {"missed", x.missed}};
            },
            [](const fx::assigned& x) {
                return json{{"effect", "assigned"}, {"conversation", x.conversation}, {"expert", x.expert}};
            },
            [](const fx::handed_off& x) {
                return json{{"effect", "handed_off"}, {"conversation", x.conversation}, {"from", x.from},
                            {"note", x.note}};
            },
            [](const fx::held& x) {
                return json{{"effect", "held"}, {"conversation", x.conversation},
                            {"by", x.by == queue::party::customer ? "customer" : "expert"}};
            },
            [](const fx::resumed& x) {
                return json{{"effect", "resumed"}, {"conversation", x.conversation}, {"expert", x.expert}};
            },
            [](const fx::stay_requested& x) {
                return json{{"effect", "stay_requested"}, {"conversation", x.conversation}, {"expert", x.expert}};
            },
            [](const fx::stay_proposed& x) {
                return json{{"effect", "stay_proposed"}, {"conversation", x.conversation},
                            {"expert", x.expert}, {"at", format_instant(x.at)}};
            },
            [](const fx::scheduled& x) {
                return json{{"effect", "scheduled"}, {"conversation", x.conversation},
                            {"expert", x.expert}, {"at", format_instant(x.at)}};
            },
            [](const fx::saved& x) {
                return json{{"effect", "saved"}, {"conversation", x.conversation},
                            {"reopen_until", format_instant(x.reopen_until)}};
            },
            [](const fx::reopened& x) { return json{{"effect", "reopened"}, {"conversation", x.conversation}}; },
            [](const fx::duplicate& x) {
                return json{{"effect", "duplicate"}, {"conversation", x.conversation}, {"kept", x.kept},
                            {"message", x.message}};
            },
            [](const fx::ticket& x) {
                return json{{"effect", "ticket"},
                            {"conversation", x.conversation},
                            {"tenant", x.customer.tenant},
                            {"user", x.customer.user},
                            {"tier", queue::to_string(x.customer.tier)},
                            {"severity", x.severity},
                            {"expert", x.expert},
                            {"summary", x.summary}};
            },
            [](const fx::warned& x) {
                return json{{"effect", "warned"}, {"conversation", x.conversation}, {"offences", x.offences}};
            },
            [](const fx::restricted& x) {
                return json{{"effect", "restricted"}, {"tenant", x.tenant}, {"user", x.user},
                            {"until", format_instant(x.until)}};
            },
            [](const fx::closed& x) {
                return json{{"effect", "closed"}, {"conversation", x.conversation},
                            {"reason", queue::to_string(x.reason)}};
            },
            [](const fx::survey_requested& x) {
                return json{{"effect", "survey_requested"}, {"conversation", x.conversation}};
            },
            [](const fx::survey_recorded& x) {
                return json{{"effect", "survey_recorded"}, {"conversation", x.conversation},
                            {"rating", x.rating}, {"comment", x.comment}};
            },
            [](const fx::sla_breached& x) {
                return json{{"effect", "sla_breached"}, {"conversation", x.conversation},
                            {"target_s", seconds(x.target)}};
            },
            [](const fx::first_response& x) {
                return json{{"effect", "first_response"}, {"conversation", x.conversation},
                            {"elapsed_s", seconds(x.elapsed)}, {"within_target", x.within_target}};
            },
            [](const fx::presence_changed& x) {
                return json{{"effect", "presence_changed"}, {"expert", x.expert},
                            {"presence", queue::to_string(x.presence)}};
            },
            [](const fx::timer_set& x) { return json{{"effect", "timer_set"}, {"timer", timer_json(x.timer)}}; },
            [](const fx::timer_cleared& x) {
                return json{{"effect", "timer_cleared"}, {"timer", timer_json(x.timer)}};
            },
        },
        e);
}

json outcome_to_json(const queue::outcome& o) {
    json j = json::object();
    if (o.error) {
        j["error"] = queue::code_name(static_cast<queue::errc>(o.error.value()));
        j["message"] = o.error.message();
    }
    if (o.conversation) j["conversation"] = *o.conversation;
    j["effects"] = json::array();
    for (const auto& e : o.effects) j["effects"].push_back(effect_to_json(e));
    return j;
}

} // namespace chat::protocol
