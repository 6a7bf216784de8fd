// From the core's outcome to what the hub stores and who it tells.

#include "chat/server/app/hub.hpp"

namespace chat::server {
namespace {

namespace fx = queue::effect;
namespace ev = protocol::event;

template <class E> frame framed(const E& e) { return std::make_shared<const std::string>(protocol::to_text(e)); }

template <class... F> struct overloaded : F... { using F::operator()...; };
template <class... F> overloaded(F...) -> overloaded<F...>;

} // namespace

void hub::to_customer(step& s, const queue::customer& who, frame f) {
    s.out.push_back({to::customer, who.tenant + '/' + who.user, {}, std::move(f), {}});
}

void hub::to_expert(step& s, const std::string& expert, frame f) {
    s.out.push_back({to::expert, expert, {}, std::move(f), {}});
}

void hub::to_monitors(step& s, const std::string& tenant, frame f) {
    if (monitors_.count(tenant)) s.out.push_back({to::monitors, tenant, {}, std::move(f), {}});
}

std::string hub::display_name(const std::optional<std::string>& expert) const {
    if (!expert) return {};
    const auto* x = core_.find_expert(*expert);
    return x ? x->name : std::string();
}

std::string hub::user_of(const queue::conversation& c, const std::string& expert) const {
    return expert.substr(std::min(expert.size(), c.customer.tenant.size() + 1)); // keys are "tenant/user"
}

std::vector<ev::hand_off_card> hub::hand_off_cards(const queue::conversation& c) const {
    std::vector<ev::hand_off_card> cards;
    for (const auto& h : c.hand_offs) cards.push_back({user_of(c, h.from), display_name(h.from), h.note, h.at});
    return cards;
}

protocol::event::conversation hub::snapshot(const queue::conversation& c, audience a) const {
    ev::conversation e;
    e.conversation = c.id;
    e.state = std::string(queue::to_string(c.state));
    e.topic = c.topic;
    e.severity = c.severity;
    e.tier = std::string(queue::to_string(c.customer.tier));
    e.region = c.customer.region;
    e.timezone = core_.policy().calendar_of(c.customer.region).time_zone_name();
    e.customer = c.customer.user;
    if (c.expert) e.expert = user_of(c, *c.expert);
    e.customer_name = c.customer_name;
    e.last_seq = c.messages.last_seq();
    e.epoch = c.epoch;
    e.ticket = c.ticket;
    auto who = c.expert ? c.expert : c.last_expert;
    if (who) e.expert_name = display_name(who);
    e.opened_at = c.opened_at;
    e.offer_expires_at = c.offer_expires_at;
    e.scheduled_at = c.scheduled_at;
    e.proposed_stay_at = c.proposed_stay_at;
    e.reopen_until = c.reopen_until;
    if (c.closed_as) e.closed_reason = std::string(queue::to_string(*c.closed_as));
    e.duplicate_of = c.duplicate_of;
    e.survey_requested = c.survey_requested && !c.survey_rating;
    e.continues = c.previous;
    if (a == audience::staff) {
        e.required_skills = std::vector<std::string>(c.required_skills.begin(), c.required_skills.end());
        e.hand_offs = hand_off_cards(c);
    }
    return e;
}

void hub::snapshot_to_parties(step& s, const queue::conversation& c) {
    to_customer(s, c.customer, framed(snapshot(c, audience::customer)));
    if (!c.expert && !c.last_expert) return;
    auto staff = framed(snapshot(c, audience::staff));
    if (c.expert) to_expert(s, *c.expert, staff);
    if (c.last_expert && c.last_expert != c.expert) to_expert(s, *c.last_expert, staff);
}

void hub::record(step& s, const queue::outcome& out) {
    for (const auto& id : out.changed_conversations) s.writes.conversations.insert(id);
    for (const auto& id : out.changed_experts) s.writes.experts.insert(id);
    for (const auto& e : out.effects) notify_effect(s, e);
    for (const auto& id : out.changed_conversations)
        if (const auto* c = core_.find(id)) snapshot_to_parties(s, *c);
    monitor_delta(s, out);
}

void hub::notify_effect(step& s, const queue::any_effect& effect) {
    auto conv = [&](const std::string& id) { return core_.find(id); };
    std::visit(
        overloaded{
            [&](const fx::timer_set& t) { s.writes.timers.insert({t.timer.kind, t.timer.subject}); },
            [&](const fx::timer_cleared& t) { s.writes.timers.insert({t.timer.kind, t.timer.subject}); },
            [&](const fx::queued& q) {
                if (auto* c = conv(q.conversation)) {
                    std::optional<long long> wait;
                    if (q.estimated_wait)
                        wait = std::chrono::duration_cast<std::chrono::seconds>(*q.estimated_wait).count();
                    to_customer(s, c->customer, framed(ev::queued{q.conversation, q.position, wait}));
                }
            },
            [&](const fx::deferred& d) {
                if (auto* c = conv(d.conversation)) to_customer(s, c->customer, framed(ev::deferred{d.conversation, d.opens_at}));
            },
            [&](const fx::offered& o) {
                ++counters_.offers;
                if (auto* c = conv(o.conversation)) {
                    ev::offered offer{o.conversation, o.expires_at, c->topic, c->severity,
                                      std::string(queue::to_string(c->customer.tier)), c->customer.region,
                                      c->customer_name,
                                      {c->required_skills.begin(), c->required_skills.end()}, c->previous, std::nullopt};
                    if (!c->hand_offs.empty()) offer.hand_offs = hand_off_cards(*c);
                    to_expert(s, o.expert, framed(offer));
                }
            },
            [&](const fx::offer_withdrawn& o) { to_expert(s, o.expert, framed(ev::offer_withdrawn{o.conversation, o.missed})); },
            [&](const fx::assigned& a) {
                ++counters_.assignments;
                if (auto* c = conv(a.conversation)) {
                    auto f = framed(ev::assigned{a.conversation, display_name(a.expert), c->customer_name});
                    to_customer(s, c->customer, f);
                    to_expert(s, a.expert, f);
                }
            },
            [&](const fx::handed_off& h) {
                // The note is for staff: the customer hears only that someone else will continue.
                if (auto* c = conv(h.conversation)) to_customer(s, c->customer, framed(ev::handed_off{h.conversation, std::nullopt}));
                std::optional<std::string> note;
                if (!h.note.empty()) note = h.note;
                to_expert(s, h.from, framed(ev::handed_off{h.conversation, note}));
            },
            [&](const fx::held& h) {
                if (auto* c = conv(h.conversation)) {
                    auto f = framed(ev::held{h.conversation, std::string(queue::to_string(h.by))});
                    to_customer(s, c->customer, f);
                    if (c->expert) to_expert(s, *c->expert, f);
                }
            },
            [&](const fx::resumed& r) {
                if (auto* c = conv(r.conversation)) {
                    auto f = framed(ev::resumed{r.conversation});
                    to_customer(s, c->customer, f);
                    to_expert(s, r.expert, f);
                }
            },
            [&](const fx::stay_requested& r) { to_expert(s, r.expert, framed(ev::stay_requested{r.conversation})); },
            [&](const fx::stay_proposed& p) {
                if (auto* c = conv(p.conversation)) to_customer(s, c->customer, framed(ev::stay_proposed{p.conversation, p.at}));
            },
            [&](const fx::scheduled& sc) {
                auto f = framed(ev::scheduled{sc.conversation, sc.at});
                if (auto* c = conv(sc.conversation)) to_customer(s, c->customer, f);
                to_expert(s, sc.expert, f);
            },
            [&](const fx::saved& sv) {
                if (auto* c = conv(sv.conversation)) {
                    auto f = framed(ev::saved{sv.conversation, sv.reopen_until});
                    to_customer(s, c->customer, f);
                    if (c->last_expert) to_expert(s, *c->last_expert, f);
                }
            },
            [&](const fx::reopened& r) {
                if (auto* c = conv(r.conversation)) {
                    auto f = framed(ev::reopened{r.conversation});
                    to_customer(s, c->customer, f);
                    if (c->last_expert) to_expert(s, *c->last_expert, f);
                }
            },
            [&](const fx::duplicate& d) {
                if (auto* c = conv(d.conversation)) {
                    auto f = framed(ev::duplicate{d.conversation, d.kept});
                    to_customer(s, c->customer, f);
                    if (auto* kept = conv(d.kept); kept && kept->expert) to_expert(s, *kept->expert, f);
                }
            },
            [&](const fx::ticket& t) {
                s.writes.tickets.emplace_back(t.id, t);
                auto f = framed(ev::escalated{t.conversation, t.id});
                to_customer(s, t.customer, f);
                to_expert(s, t.expert, f);
            },
            [&](const fx::warned& w) {
                if (auto* c = conv(w.conversation)) {
                    auto f = framed(ev::warned{w.conversation, w.offences});
                    to_customer(s, c->customer, f);
                    if (c->expert) to_expert(s, *c->expert, f);
                }
            },
            [&](const fx::restricted& r) {
                s.writes.restrictions.push_back({r.tenant, r.user, r.until});
                to_customer(s, {r.tenant, r.user, {}, {}}, framed(ev::restricted{r.until}));
            },
            [&](const fx::closed& cl) {
                s.writes.average_handle = true;
                if (auto* c = conv(cl.conversation)) {
                    auto f = framed(ev::closed{cl.conversation, std::string(queue::to_string(cl.reason))});
                    to_customer(s, c->customer, f);
                    if (c->last_expert) to_expert(s, *c->last_expert, f);
                }
            },
            [&](const fx::survey_requested& r) {
                if (auto* c = conv(r.conversation)) to_customer(s, c->customer, framed(ev::survey_request{r.conversation}));
            },
            [&](const fx::sla_breached& b) {
                ++counters_.sla_breaches;
                if (auto* c = conv(b.conversation)) {
                    auto f = framed(ev::sla_breached{b.conversation});
                    if (c->expert) to_expert(s, *c->expert, f);
                    to_monitors(s, c->customer.tenant, f);
                }
            },
            [&](const fx::presence_changed& p) {
                to_expert(s, p.expert, framed(ev::presence{std::string(queue::to_string(p.presence))}));
            },
            [](const auto&) {},
        },
        effect);
}

} // namespace chat::server
