#include "chat/server/cluster/shard.hpp"

#include "chat/server/log.hpp"

#include <boost/asio/post.hpp>

namespace chat::server::cluster {

shard::shard(shard_id id, const std::string& tag, boost::asio::any_io_executor strand, const shard_context& ctx)
    : id_(id), keys_(tag), strand_(strand), ctx_(ctx), lease_(ctx.lease), lease_timer_(strand),
      store_(std::make_shared<server::store>(ctx.redis, keys_, strand)),
      lease_store_(std::make_shared<server::store>(ctx.leases ? ctx.leases : ctx.redis, keys_, strand)),
      outbox_(ctx.node, id, ctx.publish, [strand](std::function<void()> f) { boost::asio::post(strand, std::move(f)); }) {
    store_->wait_for_replicas(ctx.replica_acks, ctx.replica_timeout);
}

void shard::take(std::string replaceable, std::function<void(std::optional<std::int64_t>, std::string)> done) {
    boost::asio::post(strand_, [self = shared_from_this(), replaceable = std::move(replaceable), done = std::move(done)]() mutable {
        self->lease_.taking();
        auto sent = lease_state::clock::now();
        self->lease_store_->take_lease(self->ctx_.holder, self->ctx_.lease.ttl, replaceable,
                                 [self, sent, done = std::move(done)](std::error_code ec, std::int64_t epoch, std::string held_by) mutable {
                                     if (ec || epoch == 0) {
                                         self->lease_.not_taken();
                                         return done(std::nullopt, ec ? std::string() : std::move(held_by));
                                     }
                                     self->on_taken(epoch, sent, std::move(done));
                                 });
    });
}

void shard::on_taken(std::int64_t epoch, lease_state::clock::time_point sent,
                     std::function<void(std::optional<std::int64_t>, std::string)> done) {
    lease_.taken(epoch, sent);
    epoch_ = epoch;
    outbox_.set_epoch(epoch);
    // Every commit carries the epoch while the lease is held; a late one is refused by Redis.
    store_->fence([weak = weak_from_this()]() -> std::optional<std::int64_t> {
        auto self = weak.lock();
        if (!self || !self->lease_.held(lease_state::clock::now())) return std::nullopt;
        return self->lease_.epoch();
    });
    arm_lease();
    hub_hooks hooks;
    hooks.fenced = [weak = weak_from_this()] {
        if (auto self = weak.lock()) self->lose("a commit was fenced: another node took the shard");
    };
    if (ctx_.webhooks && !ctx_.webhooks->endpoints.empty()) {
        webhook_sender_ = std::make_shared<webhooks::sender>(strand_, store_, ctx_.webhooks, ctx_.webhook_tls, ctx_.counters);
        hooks.webhook_events = ctx_.webhooks->wanted_events();
        hooks.webhooks_written = [sender = std::weak_ptr<webhooks::sender>(webhook_sender_)] {
            if (auto s = sender.lock()) s->wake();
        };
    }
    hub_ = std::make_shared<server::hub>(strand_, store_, *ctx_.clock, ctx_.policy, ctx_.limits, ctx_.counters, std::move(hooks));
    hub_->start([self = shared_from_this(), done = std::move(done)](std::error_code ec, server::hub::start_report r) mutable {
        boost::asio::post(self->strand_, [self, ec, r, done = std::move(done)]() mutable {
            self->loaded_ = r;
            self->on_loaded(ec, std::move(done));
        });
    });
}

void shard::on_loaded(std::error_code ec, std::function<void(std::optional<std::int64_t>, std::string)> done) {
    if (dropped_) return done(std::nullopt, {});
    if (ec) {
        log("shard ", id_, ": cannot load it: ", ec.message(), "; giving it back");
        lose("it could not be loaded");
        return done(std::nullopt, {});
    }
    serving_ = true;
    done(lease_.epoch(), {});
    if (webhook_sender_) webhook_sender_->start();
    // A scan cut off by a restart or a moved shard: its file is scanned again, never served unscanned.
    if (!ctx_.rescan) return;
    store_->scanning([self = shared_from_this()](std::error_code read_ec, std::vector<attachment_record> waiting) {
        if (read_ec) return log("shard ", self->id_, ": cannot read the files waiting for a virus scan: ", read_ec.message());
        for (const auto& a : waiting) self->ctx_.rescan(a);
    });
}

void shard::arm_lease() {
    auto due = lease_.next_due();
    if (due == lease_state::clock::time_point::max() || dropped_) return;
    lease_timer_.expires_at(due);
    lease_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
        if (auto self = weak.lock(); self && !ec) self->on_lease_tick();
    });
}

void shard::on_lease_tick() {
    switch (lease_.tick(lease_state::clock::now())) {
    case lease_state::next::renew: renew(); break;
    case lease_state::next::lost: return lose("its lease could not be renewed in time");
    case lease_state::next::nothing: break;
    }
    arm_lease();
}

void shard::renew() {
    auto sent = lease_state::clock::now();
    lease_store_->renew_lease(lease_value(), ctx_.lease.ttl, [self = shared_from_this(), sent](std::error_code ec, bool ours) {
        if (self->dropped_) return;
        if (ec) {
            self->lease_.renewal_failed();
        } else {
            self->lease_.renewed(ours, sent);
            if (!ours) return self->lose("another node took its lease");
        }
        self->arm_lease();
    });
}

void shard::lose(const std::string& why) {
    if (dropped_) return;
    drop();
    ctx_.lost(id_, why);
}

void shard::drop() {
    dropped_ = true;
    serving_ = false;
    lease_.fenced();
    lease_timer_.cancel();
    if (hub_) hub_->stop();
    if (webhook_sender_) webhook_sender_->stop();
    remote_.clear();
}

void shard::stop() {
    boost::asio::post(strand_, [self = shared_from_this()] { self->drop(); });
}

void shard::release(std::function<void()> done) {
    boost::asio::post(strand_, [self = shared_from_this(), done = std::move(done)]() mutable {
        if (self->dropped_ || !self->hub_) return done();
        self->serving_ = false;
        // What was decided is stored first; then the lease goes, and the next owner loads it all.
        self->hub_->when_idle([self, done = std::move(done)]() mutable {
            if (self->dropped_) return done(); // lost meanwhile: nothing to give back
            auto value = self->lease_value();
            self->lease_.releasing();
            self->drop();
            self->lease_store_->release_lease(value, [self, done = std::move(done)](std::error_code) mutable {
                self->lease_.released();
                done();
            });
        });
    });
}

void shard::remote_join(std::string node, std::uint64_t session, identity who, bool welcome, bool monitor) {
    boost::asio::post(strand_, [self = shared_from_this(), node = std::move(node), session, who = std::move(who), welcome, monitor]() mutable {
        if (self->dropped_ || !self->hub_) return;
        auto p = std::make_shared<remote_participant>(std::move(who), node, session, self->outbox_);
        auto& slot = self->remote_[{node, session}];
        if (slot) self->hub_->leave(slot);
        slot = p;
        if (welcome) self->hub_->join(p, std::nullopt);
        else self->hub_->rejoin(p, monitor);
    });
}

void shard::remote_leave(std::string node, std::uint64_t session) {
    boost::asio::post(strand_, [self = shared_from_this(), node = std::move(node), session] {
        auto it = self->remote_.find({node, session});
        if (it == self->remote_.end()) return;
        if (self->hub_) self->hub_->leave(it->second);
        self->remote_.erase(it);
    });
}

void shard::remote_request(std::string node, std::uint64_t session, std::optional<std::string> id, protocol::any_request r,
                           std::function<void()> unknown_session) {
    boost::asio::post(strand_, [self = shared_from_this(), node = std::move(node), session, id = std::move(id), r = std::move(r),
                                unknown_session = std::move(unknown_session)]() mutable {
        auto it = self->remote_.find({node, session});
        if (it == self->remote_.end() || !self->hub_) return unknown_session();
        self->hub_->handle(it->second, std::move(id), std::move(r));
    });
}

void shard::forget_node(std::string node) {
    boost::asio::post(strand_, [self = shared_from_this(), node = std::move(node)] {
        for (auto it = self->remote_.begin(); it != self->remote_.end();) {
            if (it->first.first != node) {
                ++it;
                continue;
            }
            if (self->hub_) self->hub_->leave(it->second);
            it = self->remote_.erase(it);
        }
    });
}

} // namespace chat::server::cluster
