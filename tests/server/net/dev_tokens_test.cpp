#include "chat/protocol/iso8601.hpp"
#include "chat/server/auth/token.hpp"
#include "chat/server/net/dev_tokens.hpp"

#include <catch2/catch.hpp>

using namespace chat;

TEST_CASE("a URL query is decoded into names and values", "[server][dev_tokens]") {
    auto q = server::parse_query("role=customer&name=Alice%20A.&empty=&flag&plus=a+b&bad=%zz");
    CHECK(q.at("role") == "customer");
    CHECK(q.at("name") == "Alice A.");
    CHECK(q.at("empty").empty());
    CHECK(q.at("flag").empty());
    CHECK(q.at("plus") == "a b");
    CHECK(q.at("bad") == "%zz");
}

TEST_CASE("a development token carries exactly the claims asked for and expires in 12 hours", "[server][dev_tokens]") {
    auto now = *protocol::parse_instant("2026-11-23T09:00:00Z");
    auto answer = server::mint_dev_token(
        {{"role", "expert"}, {"sub", "ada"}, {"tenant", "acme"}, {"name", "Ada L."}}, "0123456789abcdef0123456789abcdef",
        now);
    REQUIRE(answer.status == 200);
    auto v = server::verify_token(answer.body.at("token").get<std::string>(), "0123456789abcdef0123456789abcdef", now);
    REQUIRE(v.who);
    CHECK(v.who->role == protocol::role::expert);
    CHECK(v.who->subject == "ada");
    CHECK(v.who->name == "Ada L.");
    CHECK(answer.body.at("expires_at") == "2026-11-23T21:00:00Z");
}

TEST_CASE("a development token request with a bad claim is refused and says which", "[server][dev_tokens]") {
    auto now = *protocol::parse_instant("2026-11-23T09:00:00Z");
    auto ask = [&](std::map<std::string, std::string> q) { return server::mint_dev_token(q, "secret", now); };
    CHECK(ask({{"sub", "a"}, {"tenant", "t"}}).body.at("message") == "role must be customer, expert or monitor");
    CHECK(ask({{"role", "customer"}, {"tenant", "t"}}).status == 400);
    CHECK(ask({{"role", "customer"}, {"sub", "a b"}, {"tenant", "t"}}).status == 400);
    CHECK(ask({{"role", "customer"}, {"sub", "a"}, {"tenant", "t"}, {"tier", "gold"}}).status == 400);
    CHECK(ask({{"role", "customer"}, {"sub", "a"}, {"tenant", "t"}, {"name", std::string(200, 'x')}}).status == 400);
}
