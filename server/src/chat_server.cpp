#include "chat/server/chat_server.hpp"

#include "chat/server/net/listener.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <future>
#include <mutex>

namespace chat::server {

using namespace std::chrono_literals;

chat_server::chat_server(config cfg, const server::clock& clock)
    : gw_(std::make_shared<server::gateway>(std::move(cfg), clock)) {}

chat_server::~chat_server() { stop(); }

hub::start_report chat_server::start() {
    auto& cfg = gw_->cfg;
    gw_->secret = token_secret(cfg);
    if (!cfg.web_root.empty()) gw_->site = static_site(cfg.web_root);
    redis::endpoint where;
    if (cfg.redis_url.empty()) {
        embedded_ = std::make_unique<redis::embedded_server>(cfg.data_dir / "redis");
        embedded_->supervise();
        where.unix_path = embedded_->socket_path().string();
    } else {
        auto parsed = redis::parse_url(cfg.redis_url);
        if (!parsed) throw config_error("--redis must be redis://host:port/db or unix:///path, not " + cfg.redis_url);
        where = *parsed;
    }
    redis_where_ = (embedded_ ? "embedded " : "") + where.describe();

    auto strand = boost::asio::make_strand(io_);
    strand_ = strand;
    redis::client::options ropts;
    ropts.request_timeout = cfg.redis_timeout;
    redis_ = std::make_shared<redis::client>(strand, where, ropts);
    auto store = std::make_shared<server::store>(redis_);
    gw_->hub = std::make_shared<server::hub>(strand, store, gw_->clock, cfg.policy, cfg.hub);
    gw_->store = store;

    auto work = std::make_shared<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>(io_.get_executor());
    for (int i = 0; i < cfg.threads; ++i) threads_.emplace_back([this, work] { io_.run(); });

    // Until the hub takes it over, the client's state change says when Redis is first reachable.
    auto connected = std::make_shared<std::promise<void>>();
    redis_->on_state_change([connected, once = std::make_shared<std::once_flag>()](bool up) {
        if (up) std::call_once(*once, [&] { connected->set_value(); });
    });
    redis_->start();
    if (connected->get_future().wait_for(10s) != std::future_status::ready)
        throw std::runtime_error("cannot reach Redis at " + where.describe());

    lease_ = std::make_shared<owner_lease>(strand, redis_, owner_lease::options{});
    auto leased = std::make_shared<std::promise<std::optional<std::string>>>();
    lease_->acquire([leased](std::optional<std::string> refused) { leased->set_value(std::move(refused)); });
    if (auto refused = leased->get_future().get()) throw std::runtime_error(*refused);
    store->fence([lease = lease_] { return lease->held(); });

    std::promise<std::pair<std::error_code, hub::start_report>> started;
    gw_->hub->start([&started](std::error_code ec, hub::start_report r) { started.set_value({ec, r}); });
    auto [ec, report] = started.get_future().get();
    if (ec) throw std::runtime_error("cannot load the state from Redis: " + ec.message());

    boost::asio::ip::tcp::endpoint at(boost::asio::ip::make_address(cfg.bind), cfg.port);
    listener_ = std::make_shared<listener>(io_, at, gw_);
    port_ = listener_->port();
    listener_->run();
    return report;
}

void chat_server::drain(std::chrono::milliseconds grace) {
    if (stopped_) return;
    if (listener_) listener_->stop();
    gw_->drain_sessions();
    // Every session closed, then everything stored and told (or Redis gone): or the grace is up.
    auto drained = std::make_shared<std::promise<void>>();
    gw_->when_empty([hub = gw_->hub, drained] {
        if (!hub) return drained->set_value();
        hub->when_idle([drained] { drained->set_value(); });
    });
    drained->get_future().wait_for(grace);
    stop();
}

void chat_server::stop() {
    if (stopped_) return;
    stopped_ = true;
    if (listener_) listener_->stop();
    if (gw_->hub) gw_->hub->stop();
    if (lease_) {
        // Given back so that the next chatd need not wait for it to lapse; bounded: Redis may be gone.
        auto released = std::make_shared<std::promise<void>>();
        lease_->release([released] { released->set_value(); });
        released->get_future().wait_for(1s);
    }
    if (redis_) redis_->stop();
    if (redis_) {
        // The stops above were posted to the strand: this runs after them.
        auto stopped = std::make_shared<std::promise<void>>();
        boost::asio::post(strand_, [stopped] { stopped->set_value(); });
        stopped->get_future().wait_for(1s);
    }
    io_.stop();
    for (auto& t : threads_)
        if (t.joinable()) t.join();
    threads_.clear();
    gw_->clear();
    if (embedded_) embedded_->stop();
}

} // namespace chat::server
