#include "chat/server/app/webhook_events.hpp"
#include "chat/server/webhooks/endpoint.hpp"

#include <catch2/catch.hpp>

using namespace chat::server::webhooks;

TEST_CASE("an endpoint's URL is taken apart into scheme, host, port and target", "[webhooks][url]") {
    auto u = parse_url("https://acme.zendesk.com/api/v2/tickets.json?x=1");
    REQUIRE(u);
    CHECK(u->tls);
    CHECK(u->host == "acme.zendesk.com");
    CHECK(u->port == "443");
    CHECK(u->target == "/api/v2/tickets.json?x=1");
    auto local = parse_url("http://127.0.0.1:8089");
    REQUIRE(local);
    CHECK_FALSE(local->tls);
    CHECK(local->port == "8089");
    CHECK(local->target == "/");
    auto v6 = parse_url("http://[::1]:9000/hooks");
    REQUIRE(v6);
    CHECK(v6->host == "::1");
    CHECK(v6->port == "9000");
}

TEST_CASE("a URL chatd cannot post to is refused", "[webhooks][url]") {
    CHECK_FALSE(parse_url("ftp://example.com/"));
    CHECK_FALSE(parse_url("http://"));
    CHECK_FALSE(parse_url("http://user:pass@example.com/"));
    CHECK_FALSE(parse_url("http://example.com:99999/"));
    CHECK_FALSE(parse_url("http://example.com:80x/"));
    CHECK_FALSE(parse_url("http://example.com/a b"));
}

TEST_CASE("an endpoint takes the events and tenants it lists, or all", "[webhooks][filter]") {
    endpoint e;
    CHECK(e.wants("ticket.created", "acme"));
    e.events = {"ticket.created"};
    e.tenants = {"acme"};
    CHECK(e.wants("ticket.created", "acme"));
    CHECK_FALSE(e.wants("conversation.opened", "acme"));
    CHECK_FALSE(e.wants("ticket.created", "globex"));
    config c;
    c.endpoints = {e};
    CHECK(c.wanted_events() == std::set<std::string>{"ticket.created"});
    c.endpoints.push_back(endpoint{});
    CHECK(c.wanted_events().size() == chat::server::webhook_events::types.size()); // empty: every type
}
