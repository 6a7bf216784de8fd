#include "chat/server/app/metrics.hpp"

#include <sstream>

namespace chat::server {
namespace {

long long seconds(queue::duration d) { return std::chrono::duration_cast<std::chrono::seconds>(d).count(); }

void counter(std::ostream& m, const char* name, const char* help, std::uint64_t v) {
    m << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " counter\n" << name << ' ' << v << '\n';
}

void refusals(std::ostream& m, const refusal_counts& r) {
    m << "# HELP chatd_refusals_total Refusals by error code.\n# TYPE chatd_refusals_total counter\n";
    for (std::size_t i = 0; i < refusal_counts::codes.size(); ++i)
        if (auto n = r.counts[i].load()) m << "chatd_refusals_total{code=\"" << refusal_counts::codes[i] << "\"} " << n << '\n';
}

void line(std::ostream& m, const line_summary& l) {
    m << "# HELP chatd_queue_depth Conversations waiting, per tier.\n# TYPE chatd_queue_depth gauge\n";
    for (auto t : {queue::tier::enterprise, queue::tier::standard})
        m << "chatd_queue_depth{tier=\"" << queue::to_string(t) << "\"} " << l.depth[static_cast<std::size_t>(t)] << '\n';
    m << "# HELP chatd_queue_longest_wait_seconds Longest wait in the queue, per tier.\n"
         "# TYPE chatd_queue_longest_wait_seconds gauge\n";
    for (auto t : {queue::tier::enterprise, queue::tier::standard})
        m << "chatd_queue_longest_wait_seconds{tier=\"" << queue::to_string(t) << "\"} "
          << l.longest_wait_s[static_cast<std::size_t>(t)] << '\n';
}

void commit_latency(std::ostream& m, const hub_counters& k) {
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
}

} // namespace

void line_summary::add(const line_summary& o) {
    for (std::size_t t = 0; t < 2; ++t) {
        depth[t] += o.depth[t];
        longest_wait_s[t] = std::max(longest_wait_s[t], o.longest_wait_s[t]);
    }
}

line_summary summarize_line(const queue::core& core, queue::instant now) {
    line_summary l;
    for (const auto& [id, c] : core.conversations()) {
        if (c.state != queue::conversation_state::queued) continue;
        auto t = static_cast<std::size_t>(c.customer.tier);
        ++l.depth[t];
        l.longest_wait_s[t] = std::max(l.longest_wait_s[t], seconds(now - c.first_queued_at));
    }
    return l;
}

std::string prometheus_text(const hub_counters& k, const line_summary& l, bool redis_up) {
    std::ostringstream m;
    m << "# HELP chatd_connections Open WebSocket connections.\n# TYPE chatd_connections gauge\n"
      << "chatd_connections " << k.connections.load() << '\n';
    counter(m, "chatd_conversations_opened_total", "Conversations opened.", k.opened);
    counter(m, "chatd_offers_total", "Offers made to experts.", k.offers);
    counter(m, "chatd_assignments_total", "Conversations assigned.", k.assignments);
    counter(m, "chatd_sla_breaches_total", "First-response SLA breaches.", k.sla_breaches);
    counter(m, "chatd_messages_total", "Chat messages stored and delivered.", k.messages);
    counter(m, "chatd_requests_refused_total", "Requests answered with an error.", k.refused);
    refusals(m, k.refusals);
    counter(m, "chatd_redis_commit_failures_total", "Redis writes that failed (retried).", k.commit_failures);
    counter(m, "chatd_redis_committed_steps_total", "Events stored; several share one commit under load.", k.committed_steps);
    counter(m, "chatd_webhooks_delivered_total", "Webhook deliveries answered 2xx.", k.webhooks_delivered);
    counter(m, "chatd_webhooks_failed_total", "Webhook attempts that failed (retried later).", k.webhooks_failed);
    counter(m, "chatd_webhooks_dead_total", "Webhook events given up after their last try (dead letters).", k.webhooks_dead);
    line(m, l);
    commit_latency(m, k);
    m << "# HELP chatd_redis_up Whether Redis is reachable.\n# TYPE chatd_redis_up gauge\nchatd_redis_up "
      << (redis_up ? 1 : 0) << '\n';
    return m.str();
}

} // namespace chat::server
