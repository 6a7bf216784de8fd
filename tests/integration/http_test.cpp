#include "http_get.hpp"
#include "server_fixture.hpp"

#include <catch2/catch.hpp>

using namespace chat::test;
using chat::protocol::role;
using chat::queue::tier;

TEST_CASE("health and readiness answer over HTTP on the same port", "[integration][http]") {
    server_fixture f;
    CHECK(http_get(f.port(), "/healthz").status == 200);
    auto ready = http_get(f.port(), "/readyz");
    CHECK(ready.status == 200);
    CHECK(http_get(f.port(), "/nowhere").status == 404);
}

TEST_CASE("metrics are in Prometheus text format with queue depth per tier", "[integration][http]") {
    server_fixture f;
    auto alice = f.customer("alice", tier::enterprise);
    server_fixture::open(*alice, "billing", "refund please");
    auto m = http_get(f.port(), "/metrics");
    CHECK(m.status == 200);
    CHECK(m.content_type.rfind("text/plain", 0) == 0);
    CHECK(m.body.find("chatd_queue_depth{tier=\"enterprise\"} 1") != std::string::npos);
    CHECK(m.body.find("chatd_redis_commit_seconds_bucket") != std::string::npos);
    CHECK(m.body.find("chatd_redis_up 1") != std::string::npos);
}

TEST_CASE("metrics count the requests chatd sent to Redis, and the count grows as it works", "[integration][http]") {
    server_fixture f;
    auto requests = [&] {
        auto body = http_get(f.port(), "/metrics").body;
        auto at = body.find("\nchatd_redis_requests_total ");
        REQUIRE(at != std::string::npos);
        return std::stoull(body.substr(at + std::string_view("\nchatd_redis_requests_total ").size()));
    };
    auto before = requests();
    CHECK(before > 0); // the node's start: leases, shards, the bus
    auto alice = f.customer("alice", tier::enterprise);
    server_fixture::open(*alice, "billing", "refund please");
    CHECK(requests() > before); // the opening's commit, and lease renewals
}

TEST_CASE("the read API needs a token and shows staff the queue and the experts", "[integration][http]") {
    server_fixture f;
    auto alice = f.customer("alice", tier::enterprise);
    auto c = server_fixture::open(*alice, "billing", "refund please");
    auto ada = f.connect(role::expert, "ada");
    CHECK(http_get(f.port(), "/api/v1/queue").status == 401);
    CHECK(http_get(f.port(), "/api/v1/queue", "not-a-token").status == 401);
    CHECK(http_get(f.port(), "/api/v1/queue", f.token(role::customer, "alice")).status == 403);
    auto q = http_get(f.port(), "/api/v1/queue", f.token(role::monitor, "lead"));
    REQUIRE(q.status == 200);
    auto doc = nlohmann::json::parse(q.body);
    REQUIRE(doc["queue"].size() == 1);
    CHECK(doc["queue"][0]["conversation"] == c);
    auto x = nlohmann::json::parse(http_get(f.port(), "/api/v1/experts", f.token(role::monitor, "lead")).body);
    REQUIRE(x["experts"].size() == 1);
    CHECK(x["experts"][0]["expert"] == "ada");
    // The customer reads their own conversation with its transcript; nobody else's.
    auto mine = http_get(f.port(), "/api/v1/conversations/" + c, f.token(role::customer, "alice"));
    REQUIRE(mine.status == 200);
    CHECK(nlohmann::json::parse(mine.body)["transcript"][0]["text"] == "refund please");
    CHECK(http_get(f.port(), "/api/v1/conversations/" + c, f.token(role::customer, "bob")).status == 404);
}
