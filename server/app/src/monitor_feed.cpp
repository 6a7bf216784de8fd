#include "chat/server/app/monitor_feed.hpp"

#include "chat/server/app/notifications.hpp"

#include <map>

namespace chat::server {
namespace {

namespace ev = protocol::event;

long long seconds(queue::duration d) { return std::chrono::duration_cast<std::chrono::seconds>(d).count(); }

} // namespace

ev::queue_entry monitor_feed::entry(const queue::conversation& c, const queue::core& core, queue::instant now) {
    ev::queue_entry e{c.id,
                      std::string(queue::to_string(c.customer.tier)),
                      c.severity,
                      c.topic,
                      c.customer.region,
                      c.first_queued_at,
                      seconds(now - c.first_queued_at),
                      seconds(c.sla.target),
                      c.sla.breached,
                      c.customer_name,
                      std::nullopt,
                      std::nullopt,
                      core.timer_due(queue::timer_kind::sla_deadline, c.id),
                      std::nullopt,
                      c.sla.predicted && !c.sla.breached};
    if (c.reserved) e.reserved_for = notifications::display_name(core, c.reserved->expert);
    if (!c.required_skills.empty()) e.required_skills = std::vector<std::string>(c.required_skills.begin(), c.required_skills.end());
    if (auto wait = core.estimated_wait(c.id)) e.estimated_wait_s = seconds(*wait);
    return e;
}

ev::board_entry monitor_feed::entry(const queue::expert& x, const queue::core& core) {
    ev::board_entry e{x.id.substr(x.tenant.size() + 1), x.name, std::string(queue::to_string(x.presence)), x.connected, x.load,
                      x.capacity, {x.skills.begin(), x.skills.end()}, x.auto_accept};
    for (const auto& id : x.conversations)
        if (const auto* c = core.find(id)) {
            // A customer's wait for an answer, where the tier measures it (deltas() keeps it current).
            auto due = core.reply_due(*c, queue::response_clock::next_response);
            bool late = c->replies.awaiting_breached;
            e.conversations.push_back({id, std::string(queue::to_string(c->state)), std::string(queue::to_string(c->customer.tier)),
                                       c->topic, c->customer_name, due || late ? c->replies.awaiting_since : std::nullopt, due,
                                       late});
        }
    return e;
}

ev::minute monitor_feed::figures(const team_stats::minute& m) {
    using queue::tier;
    ev::minute out;
    out.at = m.at;
    for (auto t : {tier::enterprise, tier::standard}) {
        out.arrivals.of(t) = m.arrivals[static_cast<std::size_t>(t)];
        if (auto w = m.average_wait_s(t)) out.wait_s.of(t) = *w;
    }
    if (auto r = m.average_first_response_s()) out.first_response_s = *r;
    if (m.utilization) out.utilization = *m.utilization;
    return out;
}

std::vector<ev::queue_entry> monitor_feed::line_of(const std::string& tenant, const queue::core& core, queue::instant now) {
    std::vector<ev::queue_entry> line;
    for (const auto& id : core.queue_order(now)) {
        const auto* c = core.find(id);
        if (c && c->customer.tenant == tenant) line.push_back(entry(*c, core, now));
    }
    return line;
}

std::vector<ev::board_entry> monitor_feed::board_of(const std::string& tenant, const queue::core& core) {
    std::vector<ev::board_entry> board;
    for (const auto& [id, x] : core.experts())
        if (x.tenant == tenant) board.push_back(entry(x, core));
    return board;
}

ev::per_tier<ev::line_figures> monitor_feed::tiers_of(const std::string& tenant, const queue::core& core, queue::instant now) {
    ev::per_tier<ev::line_figures> tiers;
    for (const auto& [id, c] : core.conversations()) {
        if (c.state != queue::conversation_state::queued || c.customer.tenant != tenant) continue;
        auto& t = tiers.of(c.customer.tier);
        ++t.depth;
        t.longest_wait_s = std::max(t.longest_wait_s, seconds(now - c.first_queued_at));
    }
    return tiers;
}

std::set<std::string> monitor_feed::collect(const queue::outcome& out, const queue::core& core, queue::instant now) {
    namespace fx = queue::effect;
    std::set<std::string> touched;
    for (const auto& effect : out.effects) {
        const queue::conversation* c = nullptr;
        if (const auto* o = std::get_if<fx::opened>(&effect); o && (c = core.find(o->conversation)))
            stats_[c->customer.tenant].arrival(c->customer.tier, now);
        else if (const auto* a = std::get_if<fx::assigned>(&effect); a && (c = core.find(a->conversation)))
            stats_[c->customer.tenant].assigned(c->customer.tier, now - c->first_queued_at, now);
        else if (const auto* r = std::get_if<fx::first_response>(&effect); r && (c = core.find(r->conversation)))
            stats_[c->customer.tenant].first_response(r->elapsed, now);
        if (c) touched.insert(c->customer.tenant);
    }
    std::set<std::string> tenants;
    for (const auto& id : out.changed_experts)
        if (const auto* x = core.find_expert(id)) tenants.insert(x->tenant);
    for (const auto& tenant : tenants) {
        utilization(tenant, core, now);
        touched.insert(tenant);
    }
    return touched;
}

void monitor_feed::utilization(const std::string& tenant, const queue::core& core, queue::instant now) {
    int load = 0, capacity = 0;
    for (const auto& [id, x] : core.experts())
        if (x.tenant == tenant && x.connected && x.presence == queue::presence::available) {
            load += x.load;
            capacity += x.capacity;
        }
    stats_[tenant].utilization(capacity > 0 ? static_cast<double>(load) / capacity : 0.0, now);
}

ev::queue_snapshot monitor_feed::snapshot(const std::string& tenant, const queue::core& core, queue::instant now) {
    ev::queue_snapshot s{line_of(tenant, core, now), board_of(tenant, core), tiers_of(tenant, core, now), {}};
    for (const auto& m : stats_[tenant].last_hour(now)) s.stats.push_back(figures(m));
    return s;
}

std::vector<std::pair<std::string, ev::queue_delta>>
monitor_feed::deltas(const queue::outcome& out, const std::set<std::string>& figures_changed, const queue::core& core,
                     queue::instant now, const std::function<bool(const std::string&)>& watched) {
    std::map<std::string, ev::queue_delta> by_tenant;
    for (const auto& tenant : figures_changed)
        if (watched(tenant)) by_tenant[tenant];
    for (const auto& id : out.changed_conversations) {
        const auto* c = core.find(id);
        if (!c || !watched(c->customer.tenant)) continue;
        auto& d = by_tenant[c->customer.tenant];
        if (c->state == queue::conversation_state::queued) d.upsert.push_back(entry(*c, core, now));
        else d.remove.push_back(c->id);
    }
    std::set<queue::expert_id> refreshed(out.changed_experts.begin(), out.changed_experts.end());
    for (const auto& id : refreshed)
        if (const auto* x = core.find_expert(id); x && watched(x->tenant)) by_tenant[x->tenant];
    // A chat message moves a customer's wait for an answer without changing a record: the
    // expert's row shows it, so it is sent again (the line and the figures did not move).
    std::set<std::string> rows_only;
    auto wait_moved = [&](const std::string& conversation) {
        const auto* c = core.find(conversation);
        if (!c || !c->expert || !watched(c->customer.tenant) || !refreshed.insert(*c->expert).second) return;
        if (!by_tenant.count(c->customer.tenant)) rows_only.insert(c->customer.tenant);
        by_tenant[c->customer.tenant];
    };
    for (const auto& effect : out.effects) {
        if (const auto* t = std::get_if<queue::effect::timer_set>(&effect); t && t->timer.kind == queue::timer_kind::next_response_due)
            wait_moved(t->timer.subject);
        if (const auto* t = std::get_if<queue::effect::timer_cleared>(&effect); t && t->timer.kind == queue::timer_kind::next_response_due)
            wait_moved(t->timer.subject);
        if (const auto* b = std::get_if<queue::effect::sla_breached>(&effect); b && b->clock == queue::response_clock::next_response)
            wait_moved(b->conversation);
        if (const auto* a = std::get_if<queue::effect::reply_answered>(&effect)) wait_moved(a->conversation);
    }
    for (const auto& id : refreshed)
        if (const auto* x = core.find_expert(id); x && watched(x->tenant)) by_tenant[x->tenant].experts.push_back(entry(*x, core));
    std::vector<std::pair<std::string, ev::queue_delta>> deltas;
    for (auto& [tenant, d] : by_tenant) {
        if (!rows_only.count(tenant)) {
            d.tiers = tiers_of(tenant, core, now);
            d.minute = figures(stats_[tenant].current(now));
            d.order.emplace();
            for (const auto& id : core.queue_order(now))
                if (const auto* c = core.find(id); c && c->customer.tenant == tenant) d.order->push_back(id);
        }
        deltas.emplace_back(tenant, std::move(d));
    }
    return deltas;
}

} // namespace chat::server
