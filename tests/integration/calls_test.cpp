// Video calls (Dynatrace's Zoom triage for severity 1): the expert offers one, and the customer
// gets a message carrying the meeting's link, made from the policy's template.

#include "server_fixture.hpp"

#include <catch2/catch.hpp>

#include <regex>

using namespace chat::test;

namespace {

auto with_calls(const std::string& url) {
    return [url](chat::server::config& c) { c.policy.calls.meeting_url = url; };
}

std::string open_with_severity(ws_client& customer, int severity, const std::string& text) {
    auto ok = customer.request({{"type", "open"}, {"topic", "outage"}, {"text", text}, {"severity", severity}});
    REQUIRE(ok["type"] == "ok");
    return ok["conversation"];
}

bool is_call(const nlohmann::json& j) { return j.value("type", "") == "message" && j.contains("call_url"); }

} // namespace

TEST_CASE("an expert offers a severity-1 customer a video call, and both sides get the meeting's link",
          "[integration][calls]") {
    server_fixture f(with_calls("https://meet.example.com/acme-{room}?c={conversation}"));
    auto ada = f.expert("ada");
    auto alice = f.customer("alice");
    auto c = open_with_severity(*alice, 1, "production is down");
    server_fixture::accept(*ada, c);

    auto ok = ada->request({{"type", "offer_call"}, {"conversation", c}, {"client_id", "v1"}});
    REQUIRE(ok["type"] == "ok");
    auto told = alice->wait_for(is_call);
    CHECK(told["from"] == "expert");
    std::string url = told["call_url"];
    CHECK(std::regex_match(url, std::regex("https://meet\\.example\\.com/acme-[0-9a-f]{16}\\?c=" + c)));
    CHECK(told["text"] == "Video call: " + url);
    CHECK(ada->wait_for(is_call)["call_url"] == url); // the writer's connection too: the link is chatd's

    // Kept in the stream: a replay carries it.
    alice->request({{"type", "history"}, {"conversation", c}, {"after", 1}});
    CHECK(alice->wait_for([&](const nlohmann::json& j) { return is_call(j) && j.value("seq", 0) == ok.value("seq", 0); })["call_url"] == url);

    // Each offer is a new room.
    REQUIRE(ada->request({{"type", "offer_call"}, {"conversation", c}, {"client_id", "v2"}})["type"] == "ok");
    CHECK(alice->wait_for(is_call)["call_url"] != url);
}

TEST_CASE("a video call is refused where the policy does not offer one, or to anyone but the expert holding it",
          "[integration][calls]") {
    server_fixture f(with_calls("https://zoom.example.com/j/5551234567"));
    auto ada = f.expert("ada");
    auto alice = f.customer("alice");
    auto c = open_with_severity(*alice, 3, "a question about reports");
    server_fixture::accept(*ada, c);
    auto refused = ada->request({{"type", "offer_call"}, {"conversation", c}, {"client_id", "v1"}});
    CHECK(refused["code"] == "not_allowed");
    CHECK_THAT(refused["message"].get<std::string>(), Catch::Matchers::Contains("severity 1"));
    CHECK(alice->request({{"type", "offer_call"}, {"conversation", c}, {"client_id", "v2"}})["code"] == "wrong_role");

    auto bob = f.expert("bob"); // now the one with room: carol's conversation is his
    auto carol = f.customer("carol");
    auto urgent = open_with_severity(*carol, 1, "everything is down");
    server_fixture::accept(*bob, urgent);
    // Not hers: refused as a send would be, without saying whose it is.
    CHECK(ada->request({{"type", "offer_call"}, {"conversation", urgent}, {"client_id", "v3"}})["code"] == "unknown_conversation");
    REQUIRE(bob->request({{"type", "offer_call"}, {"conversation", urgent}, {"client_id", "v4"}})["type"] == "ok");
    CHECK(carol->wait_for(is_call)["call_url"] == "https://zoom.example.com/j/5551234567");
}

TEST_CASE("without a meeting link configured, offering a call is refused and names the setting", "[integration][calls]") {
    server_fixture f;
    auto ada = f.expert("ada");
    auto alice = f.customer("alice");
    auto c = open_with_severity(*alice, 1, "down");
    server_fixture::accept(*ada, c);
    auto refused = ada->request({{"type", "offer_call"}, {"conversation", c}, {"client_id", "v1"}});
    CHECK(refused["code"] == "not_allowed");
    CHECK_THAT(refused["message"].get<std::string>(), Catch::Matchers::Contains("meeting_url"));
}
