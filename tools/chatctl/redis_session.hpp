#pragma once
// chatctl's way to chatd's Redis: the configuration it shares with chatd, and a short-lived
// connection run to completion on the calling thread.

#include "chat/server/config.hpp"
#include "chat/server/redis/client.hpp"
#include "chat/server/store/shards.hpp"
#include "chat/server/store/store.hpp"
#include "cli_args.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>
#include <memory>
#include <optional>

namespace chat::tools {

using namespace std::chrono_literals;

// The configuration chatctl shares with chatd: --config, then --data-dir / --redis.
inline server::config configuration(const cli_args& a) {
    auto cfg = server::load_config(a.get("config").value_or(""));
    if (auto d = a.get("data-dir")) cfg.data_dir = *d;
    if (auto r = a.get("redis")) cfg.redis_url = *r;
    return cfg;
}

// A short-lived connection to chatd's Redis, run to completion on this thread.
class redis_session {
public:
    explicit redis_session(const server::config& cfg) {
        server::redis::endpoint where;
        if (cfg.redis_url.empty()) {
            where.unix_path = (cfg.data_dir / "redis" / "redis.sock").string();
        } else {
            auto parsed = server::redis::parse_url(cfg.redis_url);
            if (!parsed) throw usage_error("--redis must be redis://host:port/db, unix:///path, redis-sentinel://host:port,.../MASTER or redis-cluster://host:port,...");
            where = *parsed;
        }
        client_ = std::make_shared<server::redis::client>(boost::asio::make_strand(io_), where);
        client_->start();
        run_until([&] { return client_->connected(); }, 3s);
        if (!client_->connected())
            throw std::runtime_error("cannot reach Redis at " + where.describe() +
                                     " (is chatd running? or pass --redis URL)");
        map_ = server::shard_map(cfg.cluster.shards);
    }
    ~redis_session() {
        client_->stop();
        run_until([] { return false; }, 20ms);
    }
    // The store of one shard, or of a tenant's.
    std::shared_ptr<server::store> store(server::shard_id s) {
        return std::make_shared<server::store>(client_, server::shard_keys(map_.tag(s)));
    }
    // The shard that holds conversation `id` (looked up in every shard: ids do not name one).
    std::optional<server::shard_id> shard_of_conversation(const std::string& id) {
        std::vector<server::redis::command> probes;
        for (server::shard_id sh = 0; sh < map_.count(); ++sh)
            probes.push_back({"EXISTS", server::shard_keys(map_.tag(sh)).conversation(id)});
        std::optional<server::shard_id> found;
        bool done = false;
        client_->exec(std::move(probes), [&](std::error_code ec, server::redis::client::replies r) {
            for (std::size_t i = 0; !ec && i < r.size(); ++i)
                if (r[i].integer > 0 && !found) found = static_cast<server::shard_id>(i);
            done = true;
        });
        run_until([&] { return done; });
        return found;
    }
    const server::shard_map& shards() const { return map_; }

    template <class Done> void run_until(Done&& done, std::chrono::milliseconds limit = 30s) {
        auto until = std::chrono::steady_clock::now() + limit;
        while (!done() && std::chrono::steady_clock::now() < until) {
            io_.run_for(10ms);
            io_.restart();
        }
    }

private:
    boost::asio::io_context io_;
    std::shared_ptr<server::redis::client> client_;
    server::shard_map map_;
};

} // namespace chat::tools
