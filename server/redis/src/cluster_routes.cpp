#include "chat/server/redis/cluster_routes.hpp"

#include "chat/server/log.hpp"
#include "chat/server/redis/slot.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>

namespace chat::server::redis {
namespace {

constexpr int max_hops = 5; // redirections and retries of one command before its error stands

bool retry_later(const value& v) {
    return v.is_error() && (v.text.rfind("TRYAGAIN", 0) == 0 || v.text.rfind("CLUSTERDOWN", 0) == 0);
}

bool to_every_master(const command& c) {
    if (c.size() < 2 || c[0].size() != 8) return false;
    std::string a = c[0], b = c[1];
    for (auto* s : {&a, &b}) std::transform(s->begin(), s->end(), s->begin(), [](unsigned char ch) { return std::toupper(ch); });
    return a == "FUNCTION" && b == "LOAD";
}

} // namespace

// One exec: its commands, their replies as they come, and how many are still out.
struct cluster_routes::call {
    std::vector<command> commands;
    client::replies replies;
    std::vector<int> outstanding; // per command: answers still awaited (every master for FUNCTION LOAD)
    std::vector<int> hops;
    std::size_t pending = 0;
    client::handler done;
    bool finished = false;
};

cluster_routes::cluster_routes(boost::asio::any_io_executor strand, std::vector<node_address> seeds, client::options opts,
                               std::function<void(bool)> state)
    : strand_(strand), seeds_(std::move(seeds)), opts_(opts), state_(std::move(state)), refresh_timer_(strand) {}

void cluster_routes::start() { refresh(); }

void cluster_routes::stop() {
    stopped_ = true;
    refresh_timer_.cancel();
    for (auto& [at, c] : connections_) c->stop();
    connections_.clear();
}

std::shared_ptr<client> cluster_routes::connection(const node_address& at) {
    auto& c = connections_[at.text()];
    if (!c) {
        endpoint e;
        e.host = at.host;
        e.port = at.port;
        c = std::make_shared<client>(strand_, e, opts_);
        c->on_state_change([weak = weak_from_this()](bool) {
            if (auto self = weak.lock()) self->check_up();
        });
        c->start();
    }
    return c;
}

void cluster_routes::refresh() {
    if (stopped_ || refreshing_) return;
    refreshing_ = true;
    std::vector<node_address> candidates = map_ ? map_->masters() : std::vector<node_address>{};
    for (const auto& s : seeds_)
        if (std::find(candidates.begin(), candidates.end(), s) == candidates.end()) candidates.push_back(s);
    ask_for_slots(std::move(candidates), 0);
}

void cluster_routes::ask_for_slots(std::vector<node_address> candidates, std::size_t i) {
    if (stopped_) return;
    // Asks the first that answers; none does yet: again shortly (connections come up meanwhile).
    while (i < candidates.size() && !connection(candidates[i])->connected()) ++i;
    if (i == candidates.size()) {
        refreshing_ = false;
        refresh_timer_.expires_after(std::chrono::milliseconds(100));
        refresh_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
            if (auto self = weak.lock(); self && !ec) self->refresh();
        });
        return;
    }
    connection(candidates[i])->exec({{"CLUSTER", "SLOTS"}}, [weak = weak_from_this(), candidates, i](std::error_code ec, client::replies r) {
        auto self = weak.lock();
        if (!self || self->stopped_) return;
        auto m = ec || r.empty() ? std::nullopt : slot_map::from_reply(r[0]);
        if (!m) return self->ask_for_slots(candidates, i + 1);
        self->refreshing_ = false;
        self->on_map(std::move(*m));
    });
}

void cluster_routes::on_map(slot_map m) {
    bool changed = !map_ || map_->masters() != m.masters();
    map_ = std::move(m);
    if (changed) {
        std::string list;
        for (const auto& a : map_->masters()) list += (list.empty() ? "" : ", ") + a.text();
        log("Redis Cluster: ", map_->masters().size(), " masters (", list, ")");
    }
    for (const auto& a : map_->masters()) connection(a);
    check_up();
}

void cluster_routes::check_up() {
    if (stopped_) return;
    bool up = map_.has_value();
    if (up)
        for (const auto& a : map_->masters()) up = up && connection(a)->connected();
    // A master that does not answer may have failed over: read the map again until all do.
    if (!up && map_) {
        refresh_timer_.expires_after(std::chrono::milliseconds(200));
        refresh_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
            if (auto self = weak.lock(); self && !ec) self->refresh();
        });
    }
    if (up != up_) {
        up_ = up;
        if (state_) state_(up);
    }
}

void cluster_routes::exec(std::vector<command> commands, client::handler done) {
    if (!map_ || stopped_) {
        boost::asio::post(strand_, [done = std::move(done), s = stopped_] {
            done(make_error_code(s ? errc::stopped : errc::unavailable), {});
        });
        return;
    }
    auto c = std::make_shared<call>();
    auto n = commands.size();
    c->commands = std::move(commands);
    c->replies.resize(n);
    c->outstanding.assign(n, 1);
    c->hops.assign(n, 0);
    c->pending = n;
    c->done = std::move(done);
    // Split by master, keeping the order within each.
    std::vector<std::pair<node_address, std::vector<std::size_t>>> groups;
    auto add = [&](const node_address& to, std::size_t i) {
        auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == to; });
        if (it == groups.end()) groups.push_back({to, {i}});
        else it->second.push_back(i);
    };
    std::optional<node_address> previous;
    for (std::size_t i = 0; i < n; ++i) {
        if (to_every_master(c->commands[i])) {
            c->outstanding[i] = static_cast<int>(map_->masters().size());
            for (const auto& m : map_->masters()) add(m, i);
            continue;
        }
        auto key = key_of(c->commands[i]);
        node_address to = key ? map_->master_of(key_slot(*key)) : previous.value_or(map_->masters().front());
        add(to, i);
        previous = to;
    }
    if (n == 0) return boost::asio::post(strand_, [c] { c->done({}, {}); });
    for (auto& [to, which] : groups) send(c, std::move(which), to, false);
}

void cluster_routes::send(std::shared_ptr<call> c, std::vector<std::size_t> which, const node_address& to, bool asking) {
    std::vector<command> out;
    if (asking) out.push_back({"ASKING"});
    for (auto i : which) out.push_back(c->commands[i]);
    connection(to)->exec(std::move(out), [self = shared_from_this(), c, which, to, asking](std::error_code ec, client::replies r) mutable {
        self->on_replies(std::move(c), std::move(which), std::move(to), asking, ec, std::move(r));
    });
}

void cluster_routes::on_replies(std::shared_ptr<call> c, std::vector<std::size_t> which, node_address to, bool asking,
                                std::error_code ec, client::replies r) {
    if (c->finished) return;
    if (ec) {
        // The master did not answer: the whole exec's outcome is unknown, as on one Redis.
        c->finished = true;
        c->done(ec, {});
        return refresh();
    }
    std::size_t offset = asking ? 1 : 0;
    for (std::size_t k = 0; k < which.size(); ++k) {
        auto i = which[k];
        auto& reply = r.at(k + offset);
        if (auto moved = redirection_of(reply); moved && c->hops[i] < max_hops) {
            ++c->hops[i];
            if (!moved->ask) map_->moved(moved->slot, moved->to);
            send(c, {i}, moved->to, moved->ask);
            continue;
        }
        if (retry_later(reply) && c->hops[i] < max_hops) {
            ++c->hops[i];
            auto timer = std::make_shared<boost::asio::steady_timer>(strand_, std::chrono::milliseconds(50));
            timer->async_wait([self = shared_from_this(), c, i, to, timer](boost::system::error_code) { self->send(c, {i}, to, false); });
            continue;
        }
        answered(c, i, std::move(reply));
    }
}

void cluster_routes::answered(const std::shared_ptr<call>& c, std::size_t index, value reply) {
    // Of several masters' answers (FUNCTION LOAD) an error is the one kept.
    if (c->replies[index].type == value::kind::nil || reply.is_error()) c->replies[index] = std::move(reply);
    if (--c->outstanding[index] > 0) return;
    if (--c->pending == 0 && !c->finished) {
        c->finished = true;
        c->done({}, std::move(c->replies));
    }
}

} // namespace chat::server::redis
