#pragma once
// Drives a real Redis client on a test's own io_context: run until an answer came or time is up.

#include "chat/server/redis/client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <catch2/catch.hpp>

#include <optional>

namespace chat::test {

using namespace std::chrono_literals;
using server::redis::client;
using server::redis::command;
using server::redis::value;

// Runs the io_context until `done` holds a value or the time is up.
struct driver {
    boost::asio::io_context io;
    boost::asio::strand<boost::asio::io_context::executor_type> strand{io.get_executor()};

    template <class Pred> bool run_until(Pred&& done, std::chrono::milliseconds limit = 10s) {
        auto until = std::chrono::steady_clock::now() + limit;
        while (!done() && std::chrono::steady_clock::now() < until) {
            io.run_for(10ms);
            io.restart();
        }
        return done();
    }

    struct result {
        std::error_code ec;
        std::vector<value> replies;
    };
    std::optional<result> exec(client& c, std::vector<command> cmds) {
        std::optional<result> r;
        c.exec(std::move(cmds), [&](std::error_code ec, std::vector<value> v) { r = result{ec, std::move(v)}; });
        run_until([&] { return r.has_value(); });
        return r;
    }
};

inline std::shared_ptr<client> connect(driver& d, const server::redis::endpoint& where, client::options opts = {}) {
    auto c = std::make_shared<client>(d.strand, where, opts);
    c->start();
    REQUIRE(d.run_until([&] { return c->connected(); }));
    return c;
}

} // namespace chat::test
