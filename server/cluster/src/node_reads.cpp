// The HTTP API (queue, experts, a conversation, files in the chat) on any node: answered by the hub of the
// tenant's shard, here or on its owner over the bus; and /metrics for this node.

#include "chat/server/cluster/node.hpp"

#include "local_session.hpp"

#include <boost/asio/post.hpp>

#include <sstream>

namespace chat::server::cluster {

namespace {

std::string_view kind_name(node::read_kind k) {
    switch (k) {
    case node::read_kind::queue: return "queue";
    case node::read_kind::experts: return "experts";
    case node::read_kind::conversation: return "conversation";
    case node::read_kind::attach_check: return "attach_check";
    case node::read_kind::attach: return "attach";
    case node::read_kind::attachment: return "attachment";
    case node::read_kind::scanned: return "scanned";
    case node::read_kind::audit: return "audit";
    case node::read_kind::dead_letters: return "dead_letters";
    case node::read_kind::replay: return "replay";
    case node::read_kind::ticket_status: return "ticket_status";
    }
    return "";
}

std::optional<node::read_kind> kind_of(std::string_view name) {
    for (auto k : {node::read_kind::queue, node::read_kind::experts, node::read_kind::conversation, node::read_kind::attach_check,
                   node::read_kind::attach, node::read_kind::attachment, node::read_kind::scanned, node::read_kind::audit,
                   node::read_kind::dead_letters, node::read_kind::replay, node::read_kind::ticket_status})
        if (kind_name(k) == name) return k;
    return std::nullopt;
}

nlohmann::json unavailable(const char* why) { return {{"code", "unavailable"}, {"message", why}}; }

} // namespace

void node::read(identity who, read_kind kind, std::string arg, std::function<void(int, nlohmann::json)> done) {
    boost::asio::post(strand_, [self = shared_from_this(), who = std::move(who), kind, id = std::move(arg),
                                done = std::move(done)]() mutable {
        auto shard = self->map_.shard_of(who.tenant);
        const auto& o = self->owners_[shard];
        if (o.node.empty()) return done(503, unavailable("no node owns this tenant's shard right now; retry shortly"));
        if (o.node == self->opts_.id) {
            if (auto h = self->hubs_[shard]) return self->read_here(h, who, kind, id, std::move(done));
            return done(503, unavailable("this tenant's shard is moving; retry shortly"));
        }
        auto qid = ++self->next_query_;
        self->queries_[qid] = {std::move(done), lease_state::clock::now() + self->opts_.forward_timeout};
        bus_writer w;
        w.add("Q").add(self->opts_.id).add(qid).add(shard).add(kind_name(kind)).add(id);
        write_identity(w, who);
        self->to_node(o.node, w.take());
    });
}

void node::read_here(const std::shared_ptr<server::hub>& h, const identity& who, read_kind kind, const std::string& id,
                     std::function<void(int, nlohmann::json)> done) {
    switch (kind) {
    case read_kind::queue: return h->read_queue(who.tenant, [done](nlohmann::json j) { done(200, std::move(j)); });
    case read_kind::experts: return h->read_experts(who.tenant, [done](nlohmann::json j) { done(200, std::move(j)); });
    case read_kind::conversation: return h->read_conversation(who, id, std::move(done));
    case read_kind::attach_check: {
        auto j = nlohmann::json::parse(id, nullptr, false);
        if (!j.is_object() || !j.value("conversation", nlohmann::json()).is_string() || !j.value("size", nlohmann::json()).is_number_unsigned())
            return done(400, {{"code", "bad_field"}, {"message", "an unreadable check"}});
        return h->check_attach(who, j["conversation"].get<std::string>(), j["size"].get<std::uint64_t>(), std::move(done));
    }
    case read_kind::attach: return h->attach(who, id, std::move(done));
    case read_kind::attachment: return h->read_attachment(who, id, std::move(done));
    case read_kind::scanned: return h->scanned(who, id, std::move(done));
    case read_kind::audit: return h->read_audit(who, id, std::move(done));
    case read_kind::dead_letters: return h->read_dead_letters(who, id, std::move(done));
    case read_kind::replay: return h->replay_dead_letter(who, id, std::move(done));
    case read_kind::ticket_status: return h->update_ticket(who, id, std::move(done));
    }
}

void node::on_query(bus_reader& r) {
    auto from = r.next();
    auto qid = r.number();
    auto shard = r.number();
    auto kind = r.next();
    auto id = r.next();
    auto who = read_identity(r);
    if (!who || !shard || *shard >= map_.count()) return;
    auto answer = [self = shared_from_this(), to = std::string(*from), qid = *qid](int status, nlohmann::json body) {
        bus_writer w;
        w.add("A").add(qid).add(static_cast<std::uint64_t>(status)).add(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        self->to_node(to, w.take());
    };
    auto k = kind_of(*kind);
    auto h = hubs_[*shard];
    if (!k || !h || !owns(static_cast<shard_id>(*shard))) return answer(503, unavailable("this tenant's shard is moving; retry shortly"));
    read_here(h, *who, *k, std::string(*id), answer);
}

void node::on_answer(bus_reader& r) {
    auto qid = r.number();
    auto status = r.number();
    auto body = r.next();
    if (!body) return;
    auto it = queries_.find(*qid);
    if (it == queries_.end()) return;
    auto done = std::move(it->second.done);
    queries_.erase(it);
    auto json = nlohmann::json::parse(*body, nullptr, false);
    done(static_cast<int>(*status), json.is_discarded() ? unavailable("an unreadable answer") : std::move(json));
}

void node::expire_queries() {
    auto now = lease_state::clock::now();
    for (auto it = queries_.begin(); it != queries_.end();) {
        if (it->second.deadline > now) {
            ++it;
            continue;
        }
        auto done = std::move(it->second.done);
        it = queries_.erase(it);
        done(503, unavailable("the node that owns this tenant's shard did not answer in time"));
    }
}

void node::read_metrics(std::function<void(std::string)> done) {
    struct gather {
        line_summary line;
        std::size_t left = 0;
        std::function<void(std::string)> done;
        std::mutex m;
    };
    auto g = std::make_shared<gather>();
    g->done = std::move(done);
    auto all = hubs();
    auto finish = [self = shared_from_this(), g] {
        g->done(prometheus_text(*self->ctx_.counters, g->line, self->redis_->connected()) + self->node_metrics());
    };
    if (all.empty()) return finish();
    g->left = all.size();
    for (const auto& h : all)
        h->read_line([g, finish](line_summary l) {
            bool last = false;
            {
                std::lock_guard lock(g->m);
                g->line.add(l);
                last = --g->left == 0;
            }
            if (last) finish();
        });
}

std::string node::node_metrics() const {
    auto r = report();
    std::ostringstream m;
    auto gauge = [&](const char* name, const char* help, double v) {
        m << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " gauge\n" << name << ' ' << v << '\n';
    };
    auto counter = [&](const char* name, const char* help, std::uint64_t v) {
        m << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " counter\n" << name << ' ' << v << '\n';
    };
    gauge("chatd_node_ready", "Whether this node serves (Redis and the bus up, its shards loaded).", r.ready ? 1 : 0);
    gauge("chatd_nodes_alive", "Nodes this node hears.", static_cast<double>(r.nodes_alive));
    gauge("chatd_shards_owned", "Shards this node owns.", static_cast<double>(r.shards_owned));
    gauge("chatd_shards_unowned", "Shards no node owns right now (a takeover in progress).", static_cast<double>(r.shards_unowned));
    counter("chatd_shard_takeovers_total", "Shards this node took from another owner.", r.takeovers);
    counter("chatd_shard_releases_total", "Shards this node gave back (planned).", r.releases);
    counter("chatd_forwarded_requests_total", "Requests of this node's sessions sent to their shard's owner on another node (resends too).", r.forwarded);
    counter("chatd_remote_requests_total", "Requests of other nodes' sessions this node took as their shard's owner.", r.taken_in);
    counter("chatd_forward_timeouts_total", "Forwarded requests answered unavailable for want of an answer.", r.forward_timeouts);
    counter("chatd_fenced_commits_total", "Shards dropped because a commit was fenced.", r.fenced);
    counter("chatd_bus_gaps_total", "Lost bus notifications noticed (and repaired from the streams).", r.bus_gaps);
    counter("chatd_bus_resyncs_total", "Times the bus subscription came back and sessions read on.", r.resyncs);
    gauge("chatd_bus_lag_seconds", "This node's last heartbeat, from publish to delivery.", r.bus_lag_ms / 1000.0);
    gauge("chatd_bus_up", "Whether the bus subscription is up.", r.bus_up ? 1 : 0);
    auto requests = redis_->requests_sent() + bus_->requests_sent();
    if (ctx_.leases && ctx_.leases != redis_) requests += ctx_.leases->requests_sent();
    counter("chatd_redis_requests_total", "Requests (pipelines) this node sent to Redis: its round trips.", requests);
    return m.str();
}

} // namespace chat::server::cluster
