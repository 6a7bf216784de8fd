#include "chat/server/app/notifications.hpp"

#include "hub_shared.hpp"

namespace chat::server::notifications {
namespace {

namespace fx = queue::effect;
namespace ev = protocol::event;


std::string user_of(const queue::conversation& c, const std::string& expert) {
    return expert.substr(std::min(expert.size(), c.customer.tenant.size() + 1)); // keys are "tenant/user"
}

std::vector<ev::hand_off_card> hand_off_cards(const queue::core& core, const queue::conversation& c) {
    std::vector<ev::hand_off_card> cards;
    auto some = [](const std::string& s) { return s.empty() ? std::nullopt : std::optional(s); };
    for (const auto& h : c.hand_offs) {
        cards.push_back({user_of(c, h.from), display_name(core, h.from), h.note, h.at, some(h.tried), some(h.promised),
                         h.promised_at});
        if (h.to) cards.back().to = user_of(c, *h.to), cards.back().to_name = display_name(core, h.to);
        cards.back().team = some(h.team);
    }
    return cards;
}

// Each effect's frames, by kind of effect; `conv` finds the conversation it concerns.
struct teller {
    const queue::core& core;
    std::vector<outgoing>& out;

    const queue::conversation* conv(const std::string& id) const { return core.find(id); }
    void customer_and(const queue::conversation& c, const std::optional<std::string>& expert, frame f) const {
        out.push_back(to_customer(c.customer, f));
        if (expert) out.push_back(to_expert(*expert, std::move(f)));
    }

    void operator()(const fx::queued& q) const {
        auto* c = conv(q.conversation);
        if (!c) return;
        std::optional<long long> wait;
        if (q.estimated_wait) wait = std::chrono::duration_cast<std::chrono::seconds>(*q.estimated_wait).count();
        out.push_back(to_customer(c->customer, frame_of(ev::queued{q.conversation, q.position, wait})));
    }
    void operator()(const fx::deferred& d) const {
        auto* c = conv(d.conversation);
        if (!c) return;
        out.push_back(to_customer(c->customer, frame_of(ev::deferred{d.conversation, d.opens_at, d.on_call ? std::optional(true) : std::nullopt})));
    }
    void operator()(const fx::offered& o) const {
        auto* c = conv(o.conversation);
        if (!c) return;
        ev::offered offer{o.conversation, o.expires_at, c->topic, c->severity,
                          std::string(queue::to_string(c->customer.tier)), c->customer.region, c->customer_name,
                          {c->required_skills.begin(), c->required_skills.end()}, c->previous, std::nullopt};
        if (!c->hand_offs.empty()) offer.hand_offs = hand_off_cards(core, *c);
        out.push_back(to_expert(o.expert, frame_of(offer)));
    }
    void operator()(const fx::offer_withdrawn& o) const {
        out.push_back(to_expert(o.expert, frame_of(ev::offer_withdrawn{o.conversation, o.missed})));
    }
    void operator()(const fx::assigned& a) const {
        if (auto* c = conv(a.conversation))
            customer_and(*c, a.expert, frame_of(ev::assigned{a.conversation, display_name(core, a.expert), c->customer_name}));
    }
    void operator()(const fx::handed_off& h) const {
        // The note is for staff: the customer hears only that someone else will continue.
        if (auto* c = conv(h.conversation)) out.push_back(to_customer(c->customer, frame_of(ev::handed_off{h.conversation, std::nullopt})));
        std::optional<std::string> note, to, team;
        if (!h.note.empty()) note = h.note;
        if (!h.team.empty()) team = h.team;
        if (auto* c = conv(h.conversation); c && h.to) to = user_of(*c, *h.to);
        out.push_back(to_expert(h.from, frame_of(ev::handed_off{h.conversation, note, to, team})));
    }
    void operator()(const fx::held& h) const {
        if (auto* c = conv(h.conversation)) customer_and(*c, c->expert, frame_of(ev::held{h.conversation, std::string(queue::to_string(h.by))}));
    }
    void operator()(const fx::resumed& r) const {
        if (auto* c = conv(r.conversation)) customer_and(*c, r.expert, frame_of(ev::resumed{r.conversation}));
    }
    void operator()(const fx::stay_requested& r) const {
        out.push_back(to_expert(r.expert, frame_of(ev::stay_requested{r.conversation})));
    }
    void operator()(const fx::stay_proposed& p) const {
        if (auto* c = conv(p.conversation)) out.push_back(to_customer(c->customer, frame_of(ev::stay_proposed{p.conversation, p.at})));
    }
    void operator()(const fx::scheduled& sc) const {
        auto f = frame_of(ev::scheduled{sc.conversation, sc.at});
        if (auto* c = conv(sc.conversation)) out.push_back(to_customer(c->customer, f));
        out.push_back(to_expert(sc.expert, f));
    }
    void operator()(const fx::saved& sv) const {
        if (auto* c = conv(sv.conversation)) customer_and(*c, c->last_expert, frame_of(ev::saved{sv.conversation, sv.reopen_until}));
    }
    void operator()(const fx::reopened& r) const {
        if (auto* c = conv(r.conversation)) customer_and(*c, c->last_expert, frame_of(ev::reopened{r.conversation}));
    }
    void operator()(const fx::duplicate& d) const {
        auto* c = conv(d.conversation);
        if (!c) return;
        auto* kept = conv(d.kept);
        customer_and(*c, kept ? kept->expert : std::nullopt, frame_of(ev::duplicate{d.conversation, d.kept}));
    }
    void operator()(const fx::ticket& t) const {
        auto f = frame_of(ev::escalated{t.conversation, t.id, t.respond_by});
        out.push_back(to_customer(t.customer, f));
        out.push_back(to_expert(t.expert, f));
    }
    void operator()(const fx::warned& w) const {
        if (auto* c = conv(w.conversation)) customer_and(*c, c->expert, frame_of(ev::warned{w.conversation, w.offences}));
    }
    void operator()(const fx::restricted& r) const {
        out.push_back(to_customer({r.tenant, r.user, {}, {}}, frame_of(ev::restricted{r.until})));
    }
    void operator()(const fx::closed& cl) const {
        if (auto* c = conv(cl.conversation))
            customer_and(*c, c->last_expert, frame_of(ev::closed{cl.conversation, std::string(queue::to_string(cl.reason))}));
    }
    void operator()(const fx::survey_requested& r) const {
        if (auto* c = conv(r.conversation)) out.push_back(to_customer(c->customer, frame_of(ev::survey_request{r.conversation})));
    }
    void operator()(const fx::sla_breached& b) const {
        auto* c = conv(b.conversation);
        if (!c) return;
        auto f = frame_of(ev::sla_breached{b.conversation, std::string(queue::to_string(b.clock)), queue::to_string(b.target)});
        if (c->expert) out.push_back(to_expert(*c->expert, f));
        out.push_back(to_monitors(c->customer.tenant, f));
    }
    void operator()(const fx::sla_predicted& p) const {
        auto* c = conv(p.conversation);
        if (!c) return;
        std::optional<long long> wait;
        if (p.estimated_wait) wait = std::chrono::duration_cast<std::chrono::seconds>(*p.estimated_wait).count();
        out.push_back(to_monitors(c->customer.tenant, frame_of(ev::sla_predicted{p.conversation, "first_response", p.due, wait})));
    }
    void operator()(const fx::presence_changed& p) const {
        out.push_back(to_expert(p.expert, frame_of(ev::presence{std::string(queue::to_string(p.presence))})));
    }
    template <class Other> void operator()(const Other&) const {}
};

} // namespace

std::string customer_key(const queue::customer& who) { return who.tenant + '/' + who.user; }

ev::message message_event(const std::string& conversation, const stored_message& m) {
    ev::message e{conversation, m.seq, std::string(queue::to_string(m.from)), m.name, m.text, m.at,
                  m.client_id.empty() ? std::nullopt : std::optional(m.client_id), std::nullopt};
    if (const auto& a = m.attachment) e.attachment = ev::attachment{a->id, a->name, a->size, a->content_type, a->state};
    if (!m.call_url.empty()) e.call_url = m.call_url;
    if (!m.ticket.empty()) e.ticket = m.ticket;
    return e;
}

std::string display_name(const queue::core& core, const std::optional<queue::expert_id>& expert) {
    if (!expert) return {};
    const auto* x = core.find_expert(*expert);
    return x ? x->name : std::string();
}

ev::conversation snapshot(const queue::core& core, const queue::conversation& c, viewer v) {
    ev::conversation e;
    e.conversation = c.id;
    e.state = std::string(queue::to_string(c.state));
    e.topic = c.topic;
    e.severity = c.severity;
    if (c.request_type) e.request_type = std::string(queue::to_string(*c.request_type));
    e.priority = std::string(queue::to_string(c.priority));
    e.tier = std::string(queue::to_string(c.customer.tier));
    e.region = c.customer.region;
    e.timezone = core.policy().calendar_of(c.customer.region).time_zone_name();
    e.customer = c.customer.user;
    e.customer_name = c.customer_name;
    if (c.expert) e.expert = user_of(c, *c.expert);
    if (auto who = c.expert ? c.expert : c.last_expert) e.expert_name = display_name(core, who);
    e.last_seq = c.messages.last_seq();
    e.epoch = c.epoch;
    e.ticket = c.ticket;
    e.opened_at = c.opened_at;
    e.offer_expires_at = c.offer_expires_at;
    e.scheduled_at = c.scheduled_at;
    e.proposed_stay_at = c.proposed_stay_at;
    e.reopen_until = c.reopen_until;
    if (c.closed_as) e.closed_reason = std::string(queue::to_string(*c.closed_as));
    e.duplicate_of = c.duplicate_of;
    e.survey_requested = c.survey_requested && !c.survey_rating;
    e.continues = c.previous;
    if (v == viewer::staff) {
        e.required_skills = std::vector<std::string>(c.required_skills.begin(), c.required_skills.end());
        e.hand_offs = hand_off_cards(core, c);
        e.classifications.emplace();
        for (const auto& k : c.classifications)
            e.classifications->push_back({k.field, k.from, k.to, user_of(c, k.by), k.reason, k.at});
    }
    return e;
}

void tell(const queue::core& core, const queue::any_effect& effect, std::vector<outgoing>& out) {
    std::visit(teller{core, out}, effect);
}

void snapshot_to_parties(const queue::core& core, const queue::conversation& c, std::vector<outgoing>& out) {
    out.push_back(to_customer(c.customer, frame_of(snapshot(core, c, viewer::customer))));
    if (!c.expert && !c.last_expert) return;
    auto staff = frame_of(snapshot(core, c, viewer::staff));
    if (c.expert) out.push_back(to_expert(*c.expert, staff));
    if (c.last_expert && c.last_expert != c.expert) out.push_back(to_expert(*c.last_expert, staff));
}

void writes_for(const queue::outcome& out, pending_write& w) {
    using queue::timer_kind;
    // The timers a chat message moves are stored with their conversation's record, never alone:
    // a message moves them without changing the record, and a restart derives them from the
    // stream's last message (core::restore), so the hot path writes one entry per message.
    for (const auto& id : out.changed_conversations) {
        w.conversations.insert(id);
        for (auto k : {timer_kind::inactivity, timer_kind::next_response_due, timer_kind::update_due}) w.timers.insert({k, id});
    }
    for (const auto& id : out.changed_experts) w.experts.insert(id);
    auto timer_moved = [&](const queue::timer& t) {
        if (!queue::moved_by_messages(t.kind)) w.timers.insert({t.kind, t.subject});
    };
    for (const auto& effect : out.effects)
        std::visit(overloaded{
                       [&](const fx::timer_set& t) { timer_moved(t.timer); },
                       [&](const fx::timer_cleared& t) { timer_moved(t.timer); },
                       [&](const fx::ticket& t) { w.tickets.emplace_back(t.id, t); },
                       [&](const fx::restricted& r) { w.restrictions.push_back({r.tenant, r.user, r.until}); },
                       [&](const fx::closed&) { w.average_handle = true; },
                       [](const auto&) {},
                   },
                   effect);
}

outgoing to_customer(const queue::customer& who, frame f) {
    return {outgoing::to::customer, customer_key(who), {}, std::move(f), {}};
}
outgoing to_expert(const queue::expert_id& expert, frame f) { return {outgoing::to::expert, expert, {}, std::move(f), {}}; }
outgoing to_monitors(const std::string& tenant, frame f) { return {outgoing::to::monitors, tenant, {}, std::move(f), {}}; }
outgoing to_watchers(const std::string& conversation, frame f) {
    return {outgoing::to::watchers, conversation, {}, std::move(f), {}};
}
outgoing to_session(std::weak_ptr<participant> p, frame f) { return {outgoing::to::session, {}, std::move(p), std::move(f), {}}; }

outgoing chat_message(outgoing::to kind, std::string key, frame f, const std::string& conversation, std::uint64_t seq,
                      std::weak_ptr<participant> sender) {
    return {kind, std::move(key), {}, std::move(f), conversation, seq, std::move(sender)};
}

} // namespace chat::server::notifications
