#include "chat/server/redis/client.hpp"

#include "redis_driver.hpp"
#include "redis_fixture.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <catch2/catch.hpp>

#include <optional>

#include <signal.h>

using namespace chat::server::redis;
using chat::test::connect;
using chat::test::driver;
using namespace std::chrono_literals;

namespace {

endpoint local(const chat::test::redis_fixture& r) {
    endpoint e;
    e.unix_path = r.server.socket_path().string();
    return e;
}

} // namespace

TEST_CASE("redis urls name a unix socket or a host, port and database", "[server][redis]") {
    auto tcp = parse_url("redis://10.0.0.5:6380/2");
    REQUIRE(tcp);
    CHECK(tcp->host == "10.0.0.5");
    CHECK(tcp->port == 6380);
    CHECK(tcp->db == 2);
    auto unix_socket = parse_url("unix:///var/run/redis.sock");
    REQUIRE(unix_socket);
    CHECK(unix_socket->unix_path == "/var/run/redis.sock");
    CHECK_FALSE(parse_url("http://x"));
    CHECK_FALSE(parse_url("redis://host:notaport/0"));
}

TEST_CASE("a sentinel url names the Sentinels, the master's name and a database", "[server][redis]") {
    auto set = parse_url("redis-sentinel://10.0.0.1:26380,sentinel-b,10.0.0.3:26381/orders/3");
    REQUIRE(set);
    REQUIRE(set->sentinels.size() == 3);
    CHECK(set->sentinels[0].host == "10.0.0.1");
    CHECK(set->sentinels[0].port == 26380);
    CHECK(set->sentinels[1].host == "sentinel-b");
    CHECK(set->sentinels[1].port == 26379);
    CHECK(set->master == "orders");
    CHECK(set->db == 3);
    CHECK(set->describe() == "redis-sentinel://10.0.0.1:26380,sentinel-b:26379,10.0.0.3:26381/orders/3");
    CHECK_FALSE(parse_url("redis-sentinel://10.0.0.1:26380"));          // no master
    CHECK_FALSE(parse_url("redis-sentinel://10.0.0.1:26380,/orders")); // an empty address
    CHECK_FALSE(parse_url("redis-sentinel://h:70000/orders"));
}

TEST_CASE("a pipeline gets one reply per command in order", "[server][redis]") {
    chat::test::redis_fixture redis;
    driver d;
    auto c = connect(d, local(redis));
    auto r = d.exec(*c, {{"SET", "k", "v1"}, {"GET", "k"}, {"INCR", "n"}, {"GET", "missing"}, {"LPUSH"}});
    REQUIRE(r);
    REQUIRE_FALSE(r->ec);
    REQUIRE(r->replies.size() == 5);
    CHECK(r->replies[0].text == "OK");
    CHECK(r->replies[1].text == "v1");
    CHECK(r->replies[2].integer == 1);
    CHECK(r->replies[3].is_nil());
    CHECK(r->replies[4].is_error());
    c->stop();
    d.run_until([] { return false; }, 50ms);
}

TEST_CASE("binary values and replies larger than one read come back whole", "[server][redis]") {
    chat::test::redis_fixture redis;
    driver d;
    auto c = connect(d, local(redis));
    std::string big(300000, 'x');
    big[7] = '\0';
    std::vector<command> adds;
    for (int i = 0; i < 2000; ++i) adds.push_back({"RPUSH", "list", std::to_string(i) + std::string(100, 'y')});
    adds.push_back({"SET", "big", big});
    REQUIRE_FALSE(d.exec(*c, adds)->ec);
    auto r = d.exec(*c, {{"GET", "big"}, {"LRANGE", "list", "0", "-1"}});
    REQUIRE_FALSE(r->ec);
    CHECK(r->replies[0].text == big);
    REQUIRE(r->replies[1].elements.size() == 2000);
    CHECK(r->replies[1].elements[1999].text.rfind("1999", 0) == 0);
    c->stop();
}

TEST_CASE("a server that stops answering fails the request by its deadline", "[server][redis]") {
    chat::test::redis_fixture redis;
    driver d;
    client::options opts;
    opts.request_timeout = 300ms;
    auto c = connect(d, local(redis), opts);
    // A stopped process holds its socket open and answers nothing, as a stuck Redis would.
    ::kill(redis.server.pid(), SIGSTOP);
    auto started = std::chrono::steady_clock::now();
    auto r = d.exec(*c, {{"PING"}});
    REQUIRE(r);
    CHECK(r->ec == make_error_code(errc::timeout));
    CHECK(std::chrono::steady_clock::now() - started < 1900ms);
    ::kill(redis.server.pid(), SIGCONT);
    // Once the server answers again, the client reconnects by itself.
    REQUIRE(d.run_until([&] { return c->connected(); }, 10s));
    auto again = d.exec(*c, {{"PING"}});
    REQUIRE_FALSE(again->ec);
    CHECK(again->replies[0].text == "PONG");
    c->stop();
}

TEST_CASE("when Redis goes away requests fail as unavailable and the client reconnects", "[server][redis]") {
    chat::test::redis_fixture redis;
    driver d;
    auto c = connect(d, local(redis));
    std::vector<bool> states;
    c->on_state_change([&](bool up) { states.push_back(up); });
    REQUIRE_FALSE(d.exec(*c, {{"SET", "kept", "1"}})->ec);
    redis.server.kill();
    REQUIRE(d.run_until([&] { return !c->connected(); }));
    auto r = d.exec(*c, {{"GET", "kept"}});
    CHECK(r->ec == make_error_code(errc::unavailable));
    redis.server.restart();
    REQUIRE(d.run_until([&] { return c->connected(); }));
    CHECK(states == std::vector<bool>{false, true});
    CHECK_FALSE(d.exec(*c, {{"PING"}})->ec);
    c->stop();
}
