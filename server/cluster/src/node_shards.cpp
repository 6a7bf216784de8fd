// Which node owns which shard: the owner table (from the leases in Redis and what nodes
// announce), taking the shards this node ranks first for, giving back those another live node
// ranks first for, and dropping a shard whose lease is gone.

#include "chat/server/cluster/node.hpp"

#include "local_session.hpp"

#include "chat/server/log.hpp"
#include "chat/server/store/owner_lease.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <sstream>

namespace chat::server::cluster {

using namespace std::chrono_literals;

namespace {

// "node host pid nonce epoch", as chatd_acquire writes it.
struct lease_value {
    std::string node, holder;
    std::int64_t epoch = 0;
};

std::optional<lease_value> parse_lease(const std::string& text) {
    auto cut = text.rfind(' ');
    if (cut == std::string::npos) return std::nullopt;
    lease_value v;
    v.holder = text.substr(0, cut);
    try {
        v.epoch = std::stoll(text.substr(cut + 1));
    } catch (...) {
        return std::nullopt;
    }
    v.node = v.holder.substr(0, v.holder.find(' '));
    return v;
}

// The holder's process, when it ran on this machine and is gone: its leases may be taken at once.
bool dead_here(const std::string& holder) {
    auto space = holder.find(' ');
    if (space == std::string::npos) return false;
    auto process = lease_holder::parse(holder.substr(space + 1));
    return process && process->dead_on_this_host();
}

} // namespace

// Still being taken is not owned yet, even when the table names this node (an earlier
// incarnation under the same id held it): its hub is registered by on_take.
bool node::owns(shard_id s) const {
    return mine_[s] && !taking_[s] && mine_[s]->serving() && owners_[s].node == opts_.id;
}

void node::refresh_owners() {
    std::vector<redis::command> reads;
    for (shard_id s = 0; s < map_.count(); ++s) reads.push_back({"GET", shard_keys(map_.tag(s)).lease()});
    redis_->exec(std::move(reads), [self = shared_from_this()](std::error_code ec, redis::client::replies r) {
        if (ec) return;
        std::vector<owner> found(r.size());
        for (std::size_t i = 0; i < r.size(); ++i)
            if (auto v = r[i].is_nil() ? std::nullopt : parse_lease(r[i].text)) found[i] = {v->node, v->epoch, v->holder};
        boost::asio::post(self->strand_, [self, found = std::move(found)]() mutable { self->on_owners(std::move(found)); });
    });
}

void node::on_owners(std::vector<owner> found) {
    for (shard_id s = 0; s < found.size() && s < map_.count(); ++s) {
        // What this node holds is known here better than a read that may have raced a taking.
        if (mine_[s] || taking_[s]) continue;
        set_owner(s, std::move(found[s]));
    }
    if (!owners_known_) {
        owners_known_ = true;
        place();
    }
    check_ready();
}

void node::set_owner(shard_id s, owner o) {
    auto& known = owners_[s];
    if (known.node == o.node && known.epoch == o.epoch) return;
    // How long a shard has had no owner decides when a node other than the first-ranked takes it.
    free_since_[s] = o.node.empty() ? lease_state::clock::now() : lease_state::clock::time_point{};
    known = std::move(o);
    reattach_shard(s);
}

void node::place() {
    if (!owners_known_ || leaving_ || stopping_) return;
    auto now = lease_state::clock::now();
    auto alive = members_.alive(now);
    if (std::find(alive.begin(), alive.end(), opts_.id) == alive.end()) alive.push_back(opts_.id);
    std::size_t given_back = 0;
    for (shard_id s = 0; s < map_.count(); ++s) {
        auto ranked = ranking(alive, s);
        auto rank = static_cast<std::size_t>(std::find(ranked.begin(), ranked.end(), opts_.id) - ranked.begin());
        const auto& o = owners_[s];
        if (owns(s)) {
            // Another live node ranks first and has settled: it gets the shard back, a few at a time.
            auto& first = ranked.front();
            if (first != opts_.id && now - members_.alive_since(first) >= opts_.settle && given_back < 8 &&
                now - started_ >= opts_.settle) {
                ++given_back;
                give_back(s);
            }
            continue;
        }
        if (mine_[s] || taking_[s]) continue;
        bool owner_alive = !o.node.empty() && (o.node == opts_.id ? false : members_.is_alive(o.node, now));
        bool replaceable = !o.node.empty() && dead_here(o.holder);
        if (owner_alive && !replaceable) continue;
        // Just started: an owner not heard yet may well be alive; its lease says so for now.
        if (!o.node.empty() && !replaceable && now - started_ < opts_.silence) continue;
        if (free_since_[s] == lease_state::clock::time_point{}) free_since_[s] = now;
        // The first-ranked node takes it at once; the others only if it does not.
        if (rank == 0 || now - free_since_[s] >= opts_.settle / 2 + rank * 500ms) take(s, replaceable ? o.holder : "");
    }
}

void node::take(shard_id s, std::string replaceable) {
    taking_[s] = 1;
    auto sh = std::make_shared<shard>(s, map_.tag(s), boost::asio::make_strand(io_), ctx_);
    mine_[s] = sh;
    sh->take(std::move(replaceable), [self = shared_from_this(), s](std::optional<std::int64_t> epoch, std::string held_by) {
        boost::asio::post(self->strand_, [self, s, epoch, held_by = std::move(held_by)]() mutable {
            self->on_take(s, epoch, std::move(held_by));
        });
    });
}

void node::on_take(shard_id s, std::optional<std::int64_t> epoch, std::string held_by) {
    taking_[s] = 0;
    if (!epoch || stopping_) {
        if (mine_[s]) mine_[s]->stop();
        mine_[s].reset();
        if (auto v = held_by.empty() ? std::nullopt : parse_lease(held_by)) set_owner(s, {v->node, v->epoch, v->holder});
        return maybe_handed_over();
    }
    bool takeover = *epoch > 1;
    if (takeover) ++counts_.takeovers;
    const auto& r = mine_[s]->loaded();
    restored_.conversations += r.conversations;
    restored_.experts += r.experts;
    restored_.timers += r.timers;
    restored_.skipped += r.skipped;
    restored_.redis_loading = std::max(restored_.redis_loading, r.redis_loading);
    {
        std::lock_guard lock(hubs_mutex_);
        hubs_[s] = mine_[s]->hub();
    }
    free_since_[s] = {};
    set_owner(s, {opts_.id, *epoch, ctx_.holder});
    announce('A', s, *epoch);
    if (leaving_) give_back(s);
    check_ready();
}

void node::give_back(shard_id s) {
    auto sh = mine_[s];
    if (!sh) return;
    auto epoch = sh->epoch();
    ++counts_.releases;
    {
        std::lock_guard lock(hubs_mutex_);
        hubs_[s].reset();
    }
    // Sessions of the shard wait (answered unavailable) until its next owner is known.
    set_owner(s, {});
    sh->release([self = shared_from_this(), s, epoch, sh] {
        boost::asio::post(self->strand_, [self, s, epoch, sh] {
            if (self->mine_[s] == sh) self->mine_[s].reset();
            self->announce('D', s, epoch);
            self->maybe_handed_over();
        });
    });
}

void node::on_lost(shard_id s, const std::string& why) {
    if (!mine_[s]) return;
    log("shard ", s, " is no longer this node's: ", why);
    if (why.find("fenced") != std::string::npos) ++counts_.fenced;
    mine_[s].reset();
    {
        std::lock_guard lock(hubs_mutex_);
        hubs_[s].reset();
    }
    set_owner(s, {});
    refresh_owners();
    maybe_handed_over();
}

void node::maybe_handed_over() {
    if (!leaving_ || !on_handed_over_) return;
    if (std::any_of(mine_.begin(), mine_.end(), [](const auto& m) { return m != nullptr; })) return;
    std::exchange(on_handed_over_, nullptr)();
}

void node::hand_over(std::function<void()> done) {
    boost::asio::post(strand_, [self = shared_from_this(), done = std::move(done)]() mutable {
        self->leaving_ = true;
        self->ready_ = false;
        self->heartbeat(); // "leaving": the others stop ranking this node at once
        self->on_handed_over_ = std::move(done);
        bool any = false;
        for (shard_id s = 0; s < self->map_.count(); ++s)
            if (self->mine_[s] && !self->taking_[s]) {
                any = true;
                self->give_back(s);
            }
        if (!any) self->maybe_handed_over();
    });
}

} // namespace chat::server::cluster
