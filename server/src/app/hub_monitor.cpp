// The live queue and expert board for monitors, and the read API over the same data.

#include "chat/server/app/hub.hpp"

#include <boost/asio/post.hpp>

#include <sstream>

namespace chat::server {
namespace {

using nlohmann::json;

long long seconds(queue::duration d) { return std::chrono::duration_cast<std::chrono::seconds>(d).count(); }

json or_null(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

json minute_json(const team_stats::minute& m) {
    using queue::tier;
    auto per_tier = [](auto f) {
        return json{{"enterprise", f(tier::enterprise)}, {"standard", f(tier::standard)}};
    };
    return {{"at", protocol::format_instant(m.at)},
            {"arrivals", per_tier([&](tier t) { return m.arrivals[static_cast<std::size_t>(t)]; })},
            {"wait_s", per_tier([&](tier t) { return or_null(m.average_wait_s(t)); })},
            {"first_response_s", or_null(m.average_first_response_s())},
            {"utilization", or_null(m.utilization)}};
}

} // namespace

json hub::queue_entry(const queue::conversation& c, queue::instant now) const {
    json e{{"conversation", c.id},
           {"tier", queue::to_string(c.customer.tier)},
           {"severity", c.severity},
           {"topic", c.topic},
           {"region", c.customer.region},
           {"queued_at", protocol::format_instant(c.first_queued_at)},
           {"waiting_s", seconds(now - c.first_queued_at)},
           {"sla_target_s", seconds(c.sla.target)},
           {"sla_breached", c.sla.breached}};
    e["customer_name"] = c.customer_name;
    if (c.reserved) e["reserved_for"] = display_name(c.reserved->expert);
    if (!c.required_skills.empty()) e["required_skills"] = c.required_skills;
    return e;
}

json hub::board_entry(const queue::expert& x) const {
    return {{"expert", x.id.substr(x.tenant.size() + 1)},
            {"name", x.name},
            {"presence", queue::to_string(x.presence)},
            {"connected", x.connected},
            {"load", x.load},
            {"capacity", x.capacity},
            {"skills", x.skills},
            {"auto_accept", x.auto_accept}};
}

json hub::queue_of(const std::string& tenant, queue::instant now) const {
    json entries = json::array();
    for (const auto& id : core_.queue_order(now)) {
        const auto* c = core_.find(id);
        if (c && c->customer.tenant == tenant) entries.push_back(queue_entry(*c, now));
    }
    return entries;
}

json hub::board_of(const std::string& tenant) const {
    json board = json::array();
    for (const auto& [id, x] : core_.experts())
        if (x.tenant == tenant) board.push_back(board_entry(x));
    return board;
}

json hub::tiers_of(const std::string& tenant, queue::instant now) const {
    json tiers = json::object();
    for (auto t : {queue::tier::enterprise, queue::tier::standard})
        tiers[std::string(queue::to_string(t))] = {{"depth", 0}, {"longest_wait_s", 0}};
    for (const auto& [id, c] : core_.conversations()) {
        if (c.state != queue::conversation_state::queued || c.customer.tenant != tenant) continue;
        auto& t = tiers[std::string(queue::to_string(c.customer.tier))];
        t["depth"] = t["depth"].get<int>() + 1;
        t["longest_wait_s"] = std::max(t["longest_wait_s"].get<long long>(), seconds(now - c.first_queued_at));
    }
    return tiers;
}

std::set<std::string> hub::collect_stats(const queue::outcome& out, queue::instant now) {
    namespace fx = queue::effect;
    std::set<std::string> touched;
    for (const auto& effect : out.effects) {
        const queue::conversation* c = nullptr;
        if (const auto* o = std::get_if<fx::opened>(&effect); o && (c = core_.find(o->conversation)))
            stats_[c->customer.tenant].arrival(c->customer.tier, now);
        else if (const auto* a = std::get_if<fx::assigned>(&effect); a && (c = core_.find(a->conversation)))
            stats_[c->customer.tenant].assigned(c->customer.tier, now - c->first_queued_at, now);
        else if (const auto* r = std::get_if<fx::first_response>(&effect); r && (c = core_.find(r->conversation)))
            stats_[c->customer.tenant].first_response(r->elapsed, now);
        if (c) touched.insert(c->customer.tenant);
    }
    std::set<std::string> tenants;
    for (const auto& id : out.changed_experts)
        if (const auto* x = core_.find_expert(id)) tenants.insert(x->tenant);
    for (const auto& tenant : tenants) {
        int load = 0, capacity = 0;
        for (const auto& [id, x] : core_.experts())
            if (x.tenant == tenant && x.connected && x.presence == queue::presence::available) {
                load += x.load;
                capacity += x.capacity;
            }
        stats_[tenant].utilization(capacity > 0 ? static_cast<double>(load) / capacity : 0.0, now);
        touched.insert(tenant);
    }
    return touched;
}

json hub::stats_of(const std::string& tenant, queue::instant now) {
    json minutes = json::array();
    for (const auto& m : stats_[tenant].last_hour(now)) minutes.push_back(minute_json(m));
    return minutes;
}

void hub::monitor_delta(step& s, const queue::outcome& out) {
    auto stats_changed = collect_stats(out, s.now);
    if (monitors_.empty()) return;
    std::map<std::string, protocol::event::queue_delta> deltas;
    for (const auto& tenant : stats_changed)
        if (monitors_.count(tenant)) deltas[tenant];
    for (const auto& id : out.changed_conversations) {
        const auto* c = core_.find(id);
        if (!c || !monitors_.count(c->customer.tenant)) continue;
        auto& d = deltas[c->customer.tenant];
        if (c->state == queue::conversation_state::queued) d.upsert.push_back(queue_entry(*c, s.now));
        else d.remove.push_back(c->id);
    }
    for (const auto& id : out.changed_experts) {
        const auto* x = core_.find_expert(id);
        if (!x || !monitors_.count(x->tenant)) continue;
        deltas[x->tenant].experts.push_back(board_entry(*x));
    }
    for (auto& [tenant, d] : deltas) {
        d.tiers = tiers_of(tenant, s.now);
        d.minute = minute_json(stats_[tenant].current(s.now));
        for (const auto& id : core_.queue_order(s.now))
            if (const auto* c = core_.find(id); c && c->customer.tenant == tenant) d.order.push_back(id);
        to_monitors(s, tenant, std::make_shared<const std::string>(protocol::to_text(d)));
    }
}

void hub::read_queue(std::string tenant, std::function<void(json)> done) {
    boost::asio::post(strand_, [self = shared_from_this(), tenant = std::move(tenant), done = std::move(done)] {
        auto now = self->clock_.now();
        done({{"queue", self->queue_of(tenant, now)}, {"tiers", self->tiers_of(tenant, now)}});
    });
}

void hub::read_experts(std::string tenant, std::function<void(json)> done) {
    boost::asio::post(strand_, [self = shared_from_this(), tenant = std::move(tenant), done = std::move(done)] {
        done({{"experts", self->board_of(tenant)}});
    });
}

void hub::read_conversation(identity who, std::string id, std::function<void(int, json)> done) {
    boost::asio::post(strand_, [self = shared_from_this(), who = std::move(who), id = std::move(id),
                                done = std::move(done)]() mutable {
        self->store_->conversation(id, [self, who, id, done = std::move(done)](std::error_code ec,
                                                                               std::optional<queue::conversation> c) {
            if (ec) return done(503, {{"code", "unavailable"}, {"message", ec.message()}});
            if (!c || !may_read(who, *c))
                return done(404, {{"code", "unknown_conversation"}, {"message", "no such conversation"}});
            auto meta = protocol::to_json_message(self->snapshot(*c, audience_of(who)));
            if (c->survey_rating) meta["survey"] = {{"rating", *c->survey_rating}, {"comment", c->survey_comment}};
            self->store_->messages(id, 0, 100000, [meta, done](std::error_code ec2, std::vector<stored_message> msgs) mutable {
                if (ec2) return done(503, {{"code", "unavailable"}, {"message", ec2.message()}});
                json transcript = json::array();
                // The document's last_seq may be behind the stream (see loaded_state).
                if (!msgs.empty() && msgs.back().seq > meta["last_seq"].get<std::uint64_t>()) meta["last_seq"] = msgs.back().seq;
                for (const auto& m : msgs)
                    transcript.push_back({{"seq", m.seq},
                                          {"from", queue::to_string(m.from)},
                                          {"name", m.name},
                                          {"text", m.text},
                                          {"at", protocol::format_instant(m.at)}});
                meta.erase("type");
                done(200, {{"conversation", meta}, {"transcript", transcript}});
            });
        });
    });
}

void hub::read_metrics(std::function<void(std::string)> done) {
    boost::asio::post(strand_, [self = shared_from_this(), done = std::move(done)] {
        auto now = self->clock_.now();
        std::ostringstream m;
        auto& k = self->counters_;
        auto counter = [&](const char* name, const char* help, std::uint64_t v) {
            m << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " counter\n" << name << ' ' << v << '\n';
        };
        m << "# HELP chatd_connections Open WebSocket connections.\n# TYPE chatd_connections gauge\n"
          << "chatd_connections " << k.connections.load() << '\n';
        counter("chatd_conversations_opened_total", "Conversations opened.", k.opened);
        counter("chatd_offers_total", "Offers made to experts.", k.offers);
        counter("chatd_assignments_total", "Conversations assigned.", k.assignments);
        counter("chatd_sla_breaches_total", "First-response SLA breaches.", k.sla_breaches);
        counter("chatd_messages_total", "Chat messages stored and delivered.", k.messages);
        counter("chatd_requests_refused_total", "Requests answered with an error.", k.refused);
        m << "# HELP chatd_refusals_total Refusals by error code.\n# TYPE chatd_refusals_total counter\n";
        for (std::size_t i = 0; i < refusal_counts::codes.size(); ++i)
            if (auto n = k.refusals.counts[i].load())
                m << "chatd_refusals_total{code=\"" << refusal_counts::codes[i] << "\"} " << n << '\n';
        counter("chatd_redis_commit_failures_total", "Redis writes that failed (retried).", k.commit_failures);
        counter("chatd_redis_committed_steps_total", "Events stored; several share one commit under load.", k.committed_steps);

        std::array<long long, 2> depth{}, longest{};
        for (const auto& [id, c] : self->core_.conversations()) {
            if (c.state != queue::conversation_state::queued) continue;
            auto t = static_cast<std::size_t>(c.customer.tier);
            ++depth[t];
            longest[t] = std::max(longest[t], seconds(now - c.first_queued_at));
        }
        m << "# HELP chatd_queue_depth Conversations waiting, per tier.\n# TYPE chatd_queue_depth gauge\n";
        for (auto t : {queue::tier::enterprise, queue::tier::standard})
            m << "chatd_queue_depth{tier=\"" << queue::to_string(t) << "\"} " << depth[static_cast<std::size_t>(t)] << '\n';
        m << "# HELP chatd_queue_longest_wait_seconds Longest wait in the queue, per tier.\n"
             "# TYPE chatd_queue_longest_wait_seconds gauge\n";
        for (auto t : {queue::tier::enterprise, queue::tier::standard})
            m << "chatd_queue_longest_wait_seconds{tier=\"" << queue::to_string(t) << "\"} "
              << longest[static_cast<std::size_t>(t)] << '\n';

        m << "# HELP chatd_redis_commit_seconds Time to store one batch of events in Redis (MULTI/EXEC).\n"
             "# TYPE chatd_redis_commit_seconds histogram\n";
        static constexpr const char* bounds[] = {"0.0005", "0.001", "0.002", "0.005", "0.01", "0.05", "0.25", "+Inf"};
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i < 8; ++i) {
            cumulative += k.commit_latency_buckets[i];
            m << "chatd_redis_commit_seconds_bucket{le=\"" << bounds[i] << "\"} " << cumulative << '\n';
        }
        m << "chatd_redis_commit_seconds_sum " << static_cast<double>(k.commit_micros_total) / 1e6 << '\n'
          << "chatd_redis_commit_seconds_count " << k.commits.load() << '\n';
        m << "# HELP chatd_redis_up Whether Redis is reachable.\n# TYPE chatd_redis_up gauge\nchatd_redis_up "
          << (self->store_->available() ? 1 : 0) << '\n';
        done(m.str());
    });
}

} // namespace chat::server
