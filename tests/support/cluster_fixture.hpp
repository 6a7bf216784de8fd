#pragma once
// Several chatd processes on one real redis-server, as an operator runs them: the same --redis,
// the same data directory (for the token secret), each its own port. Each test starts and stops
// its own; a node can be killed (kill -9), paused (SIGSTOP) and let go on, or stopped (SIGTERM).

#include "chat/server/app/clock.hpp"
#include "chat/server/auth/token.hpp"
#include "chat/server/config.hpp"
#include "chat/server/redis/client.hpp"
#include "chat/server/store/shards.hpp"

#include "redis_driver.hpp"
#include "redis_fixture.hpp"
#include "ws_client.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <map>
#include <set>
#include <mutex>
#include <optional>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

namespace chat::test {

// One chatd process; its output is kept (and shown when a test fails).
class chatd_node {
public:
    chatd_node(std::string id, const std::filesystem::path& data_dir, const std::string& redis_url,
               std::vector<std::string> extra = {}, unsigned short port = 0)
        : id_(std::move(id)) {
        int out[2];
        REQUIRE(::pipe(out) == 0);
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            ::dup2(out[1], 1);
            ::dup2(out[1], 2);
            ::close(out[0]);
            std::vector<std::string> args{"chatd", "--data-dir", data_dir.string(), "--redis", redis_url, "--port",
                                          std::to_string(port), "--node-id", id_};
            for (auto& e : extra) args.push_back(e);
            std::vector<char*> argv;
            for (auto& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(CHATD_PATH, argv.data());
            ::_exit(127);
        }
        ::close(out[1]);
        fd_ = out[0];
        reader_ = std::thread([this] { read_output(); });
        auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (port_ == 0 && std::chrono::steady_clock::now() < until && alive())
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        INFO(output());
        REQUIRE(port_ != 0);
    }
    ~chatd_node() {
        if (pid_ > 0) {
            ::kill(pid_, SIGCONT);
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        if (reader_.joinable()) reader_.join();
        ::close(fd_);
    }
    chatd_node(const chatd_node&) = delete;
    chatd_node& operator=(const chatd_node&) = delete;

    unsigned short port() const { return port_; }
    const std::string& id() const { return id_; }
    std::string output() {
        std::lock_guard lock(mutex_);
        return output_;
    }
    bool alive() const { return pid_ > 0 && ::kill(pid_, 0) == 0; }
    void kill9() { end(SIGKILL); }
    int terminate() { return end(SIGTERM); }
    void pause() { ::kill(pid_, SIGSTOP); }
    void resume() { ::kill(pid_, SIGCONT); }

private:
    int end(int signal) {
        ::kill(pid_, signal);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    void read_output() {
        char buf[4096];
        for (ssize_t n; (n = ::read(fd_, buf, sizeof buf)) > 0;) {
            std::lock_guard lock(mutex_);
            output_.append(buf, static_cast<std::size_t>(n));
            auto at = output_.find("listening on http://");
            if (at != std::string::npos && port_ == 0) {
                auto colon = output_.find(':', at + 20);
                port_ = static_cast<unsigned short>(std::stoi(output_.substr(colon + 1)));
            }
        }
    }

    std::string id_;
    pid_t pid_ = -1;
    int fd_ = -1;
    std::thread reader_;
    std::mutex mutex_;
    std::string output_;
    std::atomic<unsigned short> port_{0};
};

// One Redis for the nodes, a shared data directory, tokens, and who owns a tenant's shard.
class cluster_fixture {
public:
    // Its own redis-server, or the Redis (a Sentinel set, a Cluster) at `url`.
    cluster_fixture() : redis_(std::in_place) {}
    explicit cluster_fixture(std::string url) : url_(std::move(url)) {}

    std::string redis_url() const { return redis_ ? "unix://" + redis_->server.socket_path().string() : url_; }
    const std::filesystem::path& data_dir() const { return data_.path(); }

    // A node named "node-1", "node-2", ... in the order started (or `id`, to start one again).
    std::unique_ptr<chatd_node> start(std::vector<std::string> extra = {}, unsigned short port = 0, std::string id = {}) {
        if (id.empty()) id = "node-" + std::to_string(++started_);
        return std::make_unique<chatd_node>(std::move(id), data_.path(), redis_url(), std::move(extra), port);
    }

    std::string token(protocol::role r, const std::string& sub, const std::string& tenant = "acme",
                      queue::tier tier = queue::tier::enterprise) const {
        server::config cfg;
        cfg.data_dir = data_.path();
        server::system_clock clock;
        server::identity who{r, sub, tenant, tier, "", sub + " (name)", clock.now() + std::chrono::hours(1), {}};
        return server::mint_token(who, server::token_secret(cfg));
    }
    std::unique_ptr<ws_client> connect(unsigned short port, protocol::role r, const std::string& sub,
                                       const std::string& tenant = "acme") const {
        auto c = std::make_unique<ws_client>(port);
        c->send({{"type", "hello"}, {"token", token(r, sub, tenant)}});
        c->wait_for("welcome", std::chrono::seconds(10));
        return c;
    }

    // The node id written in the lease of `tenant`'s shard (empty: nobody holds it).
    std::string owner_of(const std::string& tenant = "acme") {
        server::shard_map map;
        auto r = d_.exec(*redis(), {{"GET", server::shard_keys(map.tag(map.shard_of(tenant))).lease()}});
        if (!r || r->ec || r->replies.at(0).is_nil()) return {};
        const auto& v = r->replies.at(0).text;
        return v.substr(0, v.find(' '));
    }
    // Waits until `tenant`'s shard is held by a node other than `not_by` (and not nobody).
    std::string wait_for_owner(const std::string& not_by, std::chrono::milliseconds within, const std::string& tenant = "acme") {
        auto until = std::chrono::steady_clock::now() + within;
        for (;;) {
            auto o = owner_of(tenant);
            if (!o.empty() && o != not_by) return o;
            if (std::chrono::steady_clock::now() > until) return {};
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    // How many shards each node holds, by node id (from the leases).
    std::map<std::string, int> shards_by_node() {
        server::shard_map map;
        std::vector<server::redis::command> reads;
        for (server::shard_id s = 0; s < map.count(); ++s) reads.push_back({"GET", server::shard_keys(map.tag(s)).lease()});
        auto r = d_.exec(*redis(), std::move(reads));
        std::map<std::string, int> count;
        if (!r || r->ec) return count;
        for (const auto& v : r->replies) ++count[v.is_nil() ? std::string() : v.text.substr(0, v.text.find(' '))];
        return count;
    }
    // Waits until every shard is held by one of `nodes`; how long that took, or nothing.
    std::optional<std::chrono::milliseconds> wait_all_held_by(const std::set<std::string>& nodes, std::chrono::milliseconds within) {
        auto began = std::chrono::steady_clock::now();
        while (std::chrono::steady_clock::now() - began < within) {
            auto by = shards_by_node();
            int held = 0;
            for (const auto& [n, count] : by)
                if (nodes.count(n)) held += count;
            if (held == static_cast<int>(server::shard_map().count()))
                return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began);
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return std::nullopt;
    }
    std::filesystem::path secret_file() const { return data_.path() / "token-secret"; }

    std::shared_ptr<server::redis::client> redis() {
        if (!client_) client_ = chat::test::connect(d_, *server::redis::parse_url(redis_url()));
        return client_;
    }
    driver& redis_driver() { return d_; }

private:
    std::optional<redis_fixture> redis_;
    std::string url_;
    temp_dir data_;
    driver d_;
    std::shared_ptr<server::redis::client> client_;
    int started_ = 0;
};

} // namespace chat::test
