#pragma once
// A real redis-server on a loopback TCP port, with the configuration lines a test gives it: a
// master, a replica, a Sentinel (`--sentinel`), a Cluster node. Killed with the test.

#include "redis_driver.hpp"
#include "redis_fixture.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace chat::test {

// A port nobody listens on now (bound and let go; good enough on a test machine's loopback).
inline int free_port() {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return a.local_endpoint().port();
}

class redis_process {
public:
    enum class kind { server, sentinel };

    redis_process(const std::filesystem::path& dir, const std::string& name, std::vector<std::string> lines,
                  kind k = kind::server)
        : port_(free_port()), dir_(dir / name), sentinel_(k == kind::sentinel) {
        std::filesystem::create_directories(dir_);
        conf_ = dir_ / "redis.conf";
        std::ofstream conf(conf_);
        conf << "port " << port_ << "\nbind 127.0.0.1\ndir " << dir_.string() << "\nsave \"\"\nappendonly no\n"
             << "logfile " << (dir_ / "log").string() << "\nrepl-diskless-sync-delay 0\n";
        for (const auto& l : lines) conf << l << '\n';
        conf.close();
        start();
    }
    ~redis_process() { kill9(); }
    redis_process(const redis_process&) = delete;
    redis_process& operator=(const redis_process&) = delete;

    int port() const { return port_; }
    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
    std::string log() const {
        std::ifstream in(dir_ / "log");
        return {std::istreambuf_iterator<char>(in), {}};
    }
    void kill9() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }
    // Started again on the configuration it has now (a Sentinel rewrites its own).
    void start() {
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            std::string file = conf_.string();
            if (sentinel_) ::execlp("redis-server", "redis-server", file.c_str(), "--sentinel", nullptr);
            else ::execlp("redis-server", "redis-server", file.c_str(), nullptr);
            ::_exit(127);
        }
        // Ready once it answers.
        driver d;
        server::redis::endpoint e;
        e.host = "127.0.0.1";
        e.port = port_;
        auto c = std::make_shared<server::redis::client>(d.strand, e);
        c->start();
        INFO(log());
        REQUIRE(d.run_until([&] { return c->connected(); }, 10s));
        c->stop();
        d.run_until([] { return false; }, 20ms);
    }
    // One command, answered (or a failed test).
    value ask(server::redis::command what) {
        driver d;
        server::redis::endpoint e;
        e.host = "127.0.0.1";
        e.port = port_;
        auto c = connect(d, e);
        auto r = d.exec(*c, {std::move(what)});
        REQUIRE(r);
        REQUIRE_FALSE(r->ec);
        c->stop();
        d.run_until([] { return false; }, 20ms);
        return r->replies.at(0);
    }

private:
    int port_;
    std::filesystem::path dir_, conf_;
    bool sentinel_;
    pid_t pid_ = -1;
};

} // namespace chat::test
