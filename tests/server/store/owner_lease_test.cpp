#include "chat/server/store/owner_lease.hpp"

#include "redis_driver.hpp"
#include "redis_fixture.hpp"

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

using namespace chat;
using namespace chat::test;

namespace {

// Two would-be owners of one real Redis, each with its own connection.
struct two_nodes {
    redis_fixture redis;
    driver d;
    server::redis::endpoint where() const {
        server::redis::endpoint e;
        e.unix_path = redis.server.socket_path().string();
        return e;
    }
    std::shared_ptr<server::redis::client> first = connect(d, where()), second = connect(d, where());
    server::owner_lease::options quick{std::chrono::milliseconds(600), std::chrono::milliseconds(150), std::chrono::milliseconds(300)};

    std::shared_ptr<server::owner_lease> lease(std::shared_ptr<server::redis::client> c) {
        return std::make_shared<server::owner_lease>(d.strand, std::move(c), quick);
    }
    std::optional<std::string> acquire(server::owner_lease& l) {
        std::optional<std::optional<std::string>> r;
        l.acquire([&](std::optional<std::string> refused) { r = std::move(refused); });
        REQUIRE(d.run_until([&] { return r.has_value(); }));
        return *r;
    }
};

} // namespace

TEST_CASE("a second node cannot take the lease a live owner keeps renewing, and says who holds it", "[server][lease]") {
    two_nodes n;
    auto a = n.lease(n.first), b = n.lease(n.second);
    REQUIRE_FALSE(n.acquire(*a));
    CHECK(a->held());
    auto refused = n.acquire(*b);
    REQUIRE(refused);
    CHECK_THAT(*refused, Catch::Contains("another chatd") && Catch::Contains(a->me().text()));
    CHECK_FALSE(b->held());
    CHECK(a->held()); // renewed all along
}

TEST_CASE("a released lease is taken at once by the next node", "[server][lease]") {
    two_nodes n;
    auto a = n.lease(n.first), b = n.lease(n.second);
    REQUIRE_FALSE(n.acquire(*a));
    bool released = false;
    a->release([&] { released = true; });
    REQUIRE(n.d.run_until([&] { return released; }));
    CHECK_FALSE(a->held());
    CHECK_FALSE(n.acquire(*b));
    CHECK(b->held());
}

TEST_CASE("an owner cut off from Redis stops writing before its lease lapses, and the next node takes it after",
          "[server][lease]") {
    two_nodes n;
    auto a = n.lease(n.first);
    REQUIRE_FALSE(n.acquire(*a));
    n.first->stop(); // a's renewals fail from now on
    auto cut_off = std::chrono::steady_clock::now();
    REQUIRE(n.d.run_until([&] { return !a->held(); }, std::chrono::seconds(2)));
    // a stopped trusting its lease before Redis could have let it lapse.
    CHECK(std::chrono::steady_clock::now() - cut_off < n.quick.ttl);
    n.quick.wait = std::chrono::seconds(2);
    auto next = n.lease(n.second);
    CHECK_FALSE(n.acquire(*next)); // once a's lease lapsed
    CHECK(next->held());
}

TEST_CASE("the lease of a chatd no longer running on this machine is taken over at once", "[server][lease]") {
    two_nodes n;
    // A holder whose process has exited, its lease still running on Redis's clock.
    pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    int status = 0;
    ::waitpid(child, &status, 0);
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    auto dead = std::string(host) + ' ' + std::to_string(child) + " feed";
    REQUIRE_FALSE(n.d.exec(*n.first, {{"HSET", "chat:owner", "holder", dead, "epoch", "7", "until", "99999999999999"}})->ec);
    auto b = n.lease(n.second);
    CHECK_FALSE(n.acquire(*b));
    CHECK(b->held());
    auto epoch = n.d.exec(*n.first, {{"HGET", "chat:owner", "epoch"}});
    CHECK(epoch->replies[0].text == "8");
}
