#include "chat/server/chat_server.hpp"

#include "chat/server/log.hpp"
#include "chat/server/net/listener.hpp"
#include "chat/server/net/virus_scan.hpp"
#include "chat/server/store/layout_migration.hpp"
#include "chat/server/store/owner_lease.hpp"
#include "chat/server/webhooks/http_poster.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <future>
#include <mutex>

#include <unistd.h>

namespace chat::server {

using namespace std::chrono_literals;

namespace {

// Waits for Redis to answer on `c` (the first connection's PING).
void wait_connected(redis::client& c, const std::string& where) {
    auto connected = std::make_shared<std::promise<void>>();
    c.on_state_change([connected, once = std::make_shared<std::once_flag>()](bool up) {
        if (up) std::call_once(*once, [&] { connected->set_value(); });
    });
    c.start();
    if (connected->get_future().wait_for(10s) != std::future_status::ready)
        throw std::runtime_error("cannot reach Redis at " + where);
    c.on_state_change(nullptr);
}

} // namespace

chat_server::chat_server(config cfg, const server::clock& clock)
    : gw_(std::make_shared<server::gateway>(std::move(cfg), clock)) {}

chat_server::~chat_server() { stop(); }

redis::endpoint chat_server::start_redis() {
    auto& cfg = gw_->cfg;
    redis::endpoint where;
    if (cfg.redis_url.empty()) {
        embedded_ = std::make_unique<redis::embedded_server>(cfg.data_dir / "redis");
        embedded_->supervise();
        where.unix_path = embedded_->socket_path().string();
    } else {
        auto parsed = redis::parse_url(cfg.redis_url);
        if (!parsed) throw config_error("--redis must be redis://host:port/db, unix:///path, redis-sentinel://host:port,.../MASTER or redis-cluster://host:port,..., not " + cfg.redis_url);
        where = *parsed;
    }
    redis_where_ = (embedded_ ? "embedded " : "") + where.describe();
    return where;
}

std::string chat_server::node_id() const {
    const auto& cfg = gw_->cfg;
    if (!cfg.cluster.node_id.empty()) return cfg.cluster.node_id;
    auto me = lease_holder::of_this_process();
    // A chosen port names the node; a free one (0) is not known yet, so the process does.
    return me.host + ':' + (cfg.port ? std::to_string(cfg.port) : "pid" + std::to_string(me.pid));
}

server::hub::start_report chat_server::start() {
    auto began = std::chrono::steady_clock::now();
    auto& cfg = gw_->cfg;
    gw_->secret = token_secret(cfg);
    if (!cfg.web_root.empty()) gw_->site = static_site(cfg.web_root);
    gw_->files = files::directory_store(cfg.files.dir.empty() ? cfg.data_dir / "files" : cfg.files.dir);
    gw_->sniffer = std::make_shared<files::type_sniffer>();
    gw_->file_types = files::file_types(cfg.files.types);
    gw_->disk = disk_.get_executor();
    if (cfg.redis_url.empty() && cfg.redis.replica_acks > 0)
        throw std::runtime_error("redis.replica_acks needs a Redis with a replica (--redis); the embedded one has none");
    auto where = start_redis();
    redis::client::options ropts;
    ropts.request_timeout = cfg.redis_timeout;
    redis_ = std::make_shared<redis::client>(boost::asio::make_strand(io_), where, ropts);
    bus_ = std::make_shared<redis::client>(boost::asio::make_strand(io_), where, ropts);
    leases_ = std::make_shared<redis::client>(boost::asio::make_strand(io_), where, ropts);

    auto work = std::make_shared<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>(io_.get_executor());
    for (int i = 0; i < cfg.threads; ++i) threads_.emplace_back([this, work] { io_.run(); });
    wait_connected(*redis_, where.describe());
    wait_connected(*leases_, where.describe());

    cluster::node_options opts;
    opts.id = node_id();
    opts.shards = cfg.cluster.shards;
    opts.lease.ttl = cfg.cluster.lease_ttl;
    opts.lease.renew_every = std::max(100ms, cfg.cluster.lease_ttl / 3);
    opts.silence = cfg.cluster.lease_ttl;
    opts.forward_timeout = cfg.cluster.forward_timeout;
    opts.history_page = cfg.hub.history_page;
    // The layout before shards never ran on a Cluster (its commits spanned slots).
    if (!where.via_cluster()) migrate_old_layout(shard_map(opts.shards));

    cluster::shard_context ctx;
    ctx.redis = redis_;
    ctx.leases = leases_;
    ctx.clock = &gw_->clock;
    ctx.policy = cfg.policy;
    ctx.limits = cfg.hub;
    ctx.counters = gw_->counters;
    ctx.replica_acks = cfg.redis.replica_acks;
    ctx.replica_timeout = cfg.redis.replica_timeout;
    ctx.webhooks = std::make_shared<const webhooks::config>(cfg.webhooks);
    for (const auto& e : cfg.webhooks.endpoints) {
        auto url = webhooks::parse_url(e.url);
        ctx.webhook_tls.push_back(url && url->tls ? webhooks::tls_context(e) : nullptr);
    }
    if (!cfg.files.clamd.empty())
        // Weak: the gateway holds the node, which holds this.
        ctx.rescan = [weak = std::weak_ptr<server::gateway>(gw_)](const attachment_record& a) {
            auto gw = weak.lock();
            if (!gw) return;
            identity uploader;
            uploader.tenant = a.tenant;
            uploader.subject = a.uploader.substr(std::min(a.uploader.size(), a.tenant.size() + 1));
            log("virus scan of ", a.file.id, " was cut off; scanning it again");
            scan_file(gw, uploader, a.file.id, a.sha256);
        };
    gw_->node = std::make_shared<cluster::node>(io_, redis_, bus_, std::move(ctx), opts);
    std::promise<std::pair<std::error_code, hub::start_report>> started;
    gw_->node->start([&started](std::error_code ec, hub::start_report r) { started.set_value({ec, r}); });
    auto [ec, report] = started.get_future().get();
    if (ec) throw std::runtime_error("cannot take part on this Redis: " + ec.message());
    report.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began);

    boost::asio::ip::tcp::endpoint at(boost::asio::ip::make_address(cfg.bind), cfg.port);
    listener_ = std::make_shared<listener>(io_, at, gw_);
    port_ = listener_->port();
    listener_->run();
    return report;
}

void chat_server::migrate_old_layout(const shard_map& map) {
    blocking_exec exec = [this](std::vector<redis::command> commands) {
        std::promise<std::pair<std::error_code, redis::client::replies>> answer;
        boost::asio::post(redis_->executor(), [&] {
            redis_->exec(std::move(commands), [&answer](std::error_code ec, redis::client::replies r) {
                answer.set_value({ec, std::move(r)});
            });
        });
        return answer.get_future().get();
    };
    if (!old_layout_present(exec)) return;
    // One node moves it, holding the old layout's owner lease (a chatd of that time still
    // running keeps it, and this one refuses to start, as that one would).
    auto lease = std::make_shared<owner_lease>(redis_->executor(), redis_, owner_lease::options{});
    std::promise<std::optional<std::string>> leased;
    lease->acquire([&leased](std::optional<std::string> refused) { leased.set_value(std::move(refused)); });
    if (auto refused = leased.get_future().get()) throw std::runtime_error(*refused);
    log("moving the data of an earlier chatd to ", map.count(), " shards");
    auto report = migrate_layout(exec, map);
    log("moved ", report.conversations, " conversations, ", report.experts, " experts, ", report.customers,
        " customers, ", report.timers, " timers and ", report.tickets, " tickets to shards",
        report.unreadable ? "; " + std::to_string(report.unreadable) + " unreadable records left where they were" : "");
    std::promise<void> released;
    lease->release([&released] { released.set_value(); });
    released.get_future().wait_for(2s);
    exec({{"DEL", lease->key()}});
}

void chat_server::drain(std::chrono::milliseconds grace) {
    if (stopped_) return;
    if (listener_) listener_->stop();
    gw_->drain_sessions();
    // Every session closed, then every shard's writes done and its lease given back (so the
    // next owner takes it at once), or the grace is up.
    auto drained = std::make_shared<std::promise<void>>();
    gw_->when_empty([node = gw_->node, drained] {
        if (!node) return drained->set_value();
        node->hand_over([drained] { drained->set_value(); });
    });
    drained->get_future().wait_for(grace);
    stop();
}

void chat_server::stop() {
    if (stopped_) return;
    stopped_ = true;
    if (listener_) listener_->stop();
    if (gw_->node) gw_->node->stop();
    for (auto& c : {redis_, bus_, leases_})
        if (c) c->stop();
    if (redis_) {
        // The stops above were posted: this runs after them (a strand of the same context).
        auto stopped = std::make_shared<std::promise<void>>();
        boost::asio::post(redis_->executor(), [stopped] { stopped->set_value(); });
        stopped->get_future().wait_for(1s);
    }
    io_.stop();
    for (auto& t : threads_)
        if (t.joinable()) t.join();
    threads_.clear();
    disk_.join();
    gw_->clear();
    if (embedded_) embedded_->stop();
}

} // namespace chat::server
