// The node's lifecycle: loading the functions, the tick that drives membership, placement and
// deadlines, readiness and the figures /readyz and /metrics show.

#include "chat/server/cluster/node.hpp"

#include "local_session.hpp"

#include "chat/server/log.hpp"
#include "chat/server/store/functions.hpp"
#include "chat/server/store/owner_lease.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

namespace chat::server::cluster {

using namespace std::chrono_literals;

node::node(boost::asio::io_context& io, std::shared_ptr<redis::client> redis, std::shared_ptr<redis::client> bus,
           shard_context ctx, node_options opts)
    : io_(io), strand_(boost::asio::make_strand(io)), redis_(std::move(redis)), bus_(std::move(bus)), ctx_(std::move(ctx)),
      opts_(std::move(opts)), map_(opts_.shards), incarnation_(lease_holder::of_this_process().nonce),
      inbox_("chat:node:" + opts_.id), members_(opts_.silence), owners_(map_.count()), mine_(map_.count()),
      taking_(map_.count(), 0), free_since_(map_.count()), tick_timer_(strand_), hubs_(map_.count()) {
    auto me = lease_holder::of_this_process();
    ctx_.node = opts_.id;
    ctx_.holder = opts_.id + ' ' + me.host + ' ' + std::to_string(me.pid) + ' ' + incarnation_;
    ctx_.lease = opts_.lease;
    lease_holder::alive(incarnation_, true);
}

void node::start(ready_handler ready) {
    boost::asio::post(strand_, [self = shared_from_this(), ready = std::move(ready)]() mutable {
        self->on_ready_ = std::move(ready);
        self->started_ = lease_state::clock::now();
        std::weak_ptr<node> weak = self;
        self->ctx_.publish = [weak](const std::string& to, std::string payload) {
            if (auto n = weak.lock()) n->to_node(to, std::move(payload));
        };
        self->ctx_.lost = [weak](shard_id s, const std::string& why) {
            if (auto n = weak.lock()) boost::asio::post(n->strand_, [n, s, why] { n->on_lost(s, why); });
        };
        self->redis_->on_state_change([weak](bool up) {
            if (auto n = weak.lock())
                for (const auto& h : n->hubs()) h->redis_state(up);
        });
        self->bus_->subscribe({self->inbox_, "chat:cluster"}, [weak](std::string_view channel, std::string_view payload) {
            if (auto n = weak.lock())
                boost::asio::post(n->strand_, [n, c = std::string(channel), p = std::string(payload)] { n->on_bus(c, p); });
        });
        self->bus_->on_state_change([weak](bool up) {
            if (auto n = weak.lock()) boost::asio::post(n->strand_, [n, up] { n->on_bus_state(up); });
        });
        // Loaded (again) by every node: the same source, so a newer node's replaces an older one's.
        self->redis_->exec({load_functions()},
                           [self](std::error_code ec, redis::client::replies r) {
                               if (!ec && !r.empty() && r[0].is_error()) {
                                   log("cannot load chatd's Redis functions: ", r[0].text, " (chatd needs Redis 7)");
                                   ec = make_error_code(redis::errc::error_reply);
                               }
                               boost::asio::post(self->strand_, [self, ec] { self->on_functions(ec); });
                           });
    });
}

void node::on_functions(std::error_code ec) {
    if (ec) {
        if (auto ready = std::exchange(on_ready_, nullptr)) ready(ec, {});
        return;
    }
    bus_->start();
    heartbeat();
    refresh_owners();
    arm_tick();
}

void node::arm_tick() {
    if (stopping_) return;
    tick_timer_.expires_after(opts_.heartbeat_every / 2);
    tick_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
        if (auto self = weak.lock(); self && !ec) self->tick();
    });
}

void node::tick() {
    auto now = lease_state::clock::now();
    heartbeat();
    // A subscriber that stopped delivering (even our own heartbeats) is connected again.
    if (bus_up_ && now - last_heard_self_ > 4 * opts_.heartbeat_every) {
        ++counts_.bus_dropped;
        bus_->reconnect();
    }
    for (const auto& gone : members_.drop_silent(now)) node_gone(gone);
    refresh_owners();
    place();
    expire_pending();
    expire_queries();
    check_ready();
    counts_.alive = members_.alive(now).size();
    arm_tick();
}

void node::check_ready() {
    std::size_t unowned = 0, owned = 0;
    auto now = lease_state::clock::now();
    for (shard_id s = 0; s < map_.count(); ++s) {
        const auto& o = owners_[s].node;
        // A shard whose owner is gone counts as unowned until another takes it; one the table
        // gives this node's id but this incarnation does not hold is an earlier one's.
        if (o.empty() || (o == opts_.id ? !owns(s) : !members_.is_alive(o, now))) ++unowned;
        if (owns(s)) ++owned;
    }
    counts_.owned = owned;
    counts_.unowned = unowned;
    bool settled = owners_known_ && last_heard_self_ != lease_state::clock::time_point{} && unowned == 0;
    bool waited = now - started_ > 3 * opts_.lease.ttl + 2s;
    ready_ = settled && !leaving_;
    if ((settled || waited) && on_ready_) {
        if (!settled) log("started without an owner for ", unowned, " shards; they are taken as soon as they can be");
        std::exchange(on_ready_, nullptr)({}, restored_);
    }
}

void node::time_moved() {
    for (const auto& h : hubs()) h->time_moved();
}

std::shared_ptr<server::hub> node::hub_of(const std::string& tenant) const {
    std::lock_guard lock(hubs_mutex_);
    return hubs_[map_.shard_of(tenant)];
}

std::vector<std::shared_ptr<server::hub>> node::hubs() const {
    std::lock_guard lock(hubs_mutex_);
    std::vector<std::shared_ptr<server::hub>> all;
    for (const auto& h : hubs_)
        if (h) all.push_back(h);
    return all;
}

std::shared_ptr<server::store> node::store_for(const std::string& tenant, boost::asio::any_io_executor home) const {
    return std::make_shared<server::store>(redis_, shard_keys(map_.tag(map_.shard_of(tenant))), std::move(home));
}

node_report node::report() const {
    node_report r;
    r.id = opts_.id;
    r.ready = ready();
    r.redis_up = redis_->connected();
    r.bus_up = bus_up_;
    r.nodes_alive = counts_.alive;
    r.shards = map_.count();
    r.shards_owned = counts_.owned;
    r.shards_unowned = counts_.unowned;
    r.takeovers = counts_.takeovers;
    r.releases = counts_.releases;
    r.forwarded = counts_.forwarded;
    r.taken_in = counts_.taken_in;
    r.forward_timeouts = counts_.forward_timeouts;
    r.fenced = counts_.fenced;
    r.bus_gaps = counts_.bus_gaps;
    r.bus_dropped = counts_.bus_dropped;
    r.resyncs = counts_.resyncs;
    r.bus_lag_ms = static_cast<double>(counts_.bus_lag_us.load()) / 1000.0;
    return r;
}

void node::stop() {
    stopping_ = true;
    boost::asio::post(strand_, [self = shared_from_this()] {
        self->tick_timer_.cancel();
        for (auto& s : self->mine_)
            if (s) s->stop();
        std::lock_guard lock(self->hubs_mutex_);
        for (auto& h : self->hubs_) h.reset();
        self->sessions_.clear();
        self->session_of_.clear();
    });
}

} // namespace chat::server::cluster
