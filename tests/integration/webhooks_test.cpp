// The webhook outbox: each event is stored in the commit of the decision it reports, then
// delivered at least once, signed, to a real HTTP receiver; retried while it is down, given up
// as a dead letter after the configured tries, and replayed by an operator or a team lead.

#include "chat/server/webhooks/signature.hpp"
#include "http_get.hpp"
#include "server_fixture.hpp"
#include "tls_receiver.hpp"
#include "webhook_receiver.hpp"
#include "webhooks_command.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <sstream>

using namespace chat::test;
using chat::protocol::role;
namespace webhooks = chat::server::webhooks;

namespace {

const std::string secret = "a-shared-secret-of-the-ticket-system";

// chatd with one endpoint at `receiver`, taking `events`, retrying quickly.
std::function<void(chat::server::config&)> with_webhook(const webhook_receiver& receiver, std::set<std::string> events,
                                                        int max_attempts = 12) {
    return [&receiver, events, max_attempts](chat::server::config& c) {
        webhooks::endpoint e;
        e.name = "tickets";
        e.url = receiver.url();
        e.secret = secret;
        e.events = events;
        e.retry.max_attempts = max_attempts;
        e.retry.first_delay = std::chrono::milliseconds(50);
        e.retry.max_delay = std::chrono::milliseconds(200);
        e.timeout = std::chrono::milliseconds(2000);
        c.webhooks.endpoints = {e};
        c.webhooks.public_url = "https://chat.example.com";
    };
}

// Every event id the receiver got, and how often.
std::map<std::string, int> deliveries(const webhook_receiver& r) {
    std::map<std::string, int> out;
    for (const auto& q : r.received()) ++out[q.header("x-chatd-delivery")];
    return out;
}

std::string chatctl(std::vector<std::string> args, const server_fixture& f) {
    args.push_back("--data-dir");
    args.push_back(f.data_dir().string());
    std::ostringstream out, err;
    auto code = chat::tools::webhooks_command(args, out, err);
    INFO(err.str());
    REQUIRE(code == 0);
    return out.str();
}

} // namespace

TEST_CASE("an escalation reaches the ticket system once, signed, with the transcript, the notes and the due time",
          "[integration][webhooks]") {
    webhook_receiver receiver;
    server_fixture f(with_webhook(receiver, {"ticket.created"}));
    auto ada = f.expert("ada");
    auto alice = f.customer("alice");
    auto c = server_fixture::open(*alice, "billing", "the invoice total is wrong");
    server_fixture::accept(*ada, c);
    server_fixture::say(*ada, c, "Looking into it now", "a1");
    server_fixture::say(*alice, c, "Thanks, it's invoice 42", "c1");
    REQUIRE(ada->request({{"type", "note"}, {"conversation", c}, {"text", "engine rounds twice"}, {"client_id", "n1"}})["type"] == "ok");
    REQUIRE(ada->request({{"type", "escalate"}, {"conversation", c}, {"summary", "invoice engine bug"}})["type"] == "ok");

    REQUIRE(receiver.wait_for(1));
    auto got = receiver.received().front();
    CHECK(got.target == "/hooks");
    CHECK(got.header("content-type") == "application/json");
    CHECK(got.header("x-chatd-event") == "ticket.created");
    CHECK(got.header("x-chatd-delivery").rfind("evt_", 0) == 0);
    CHECK(webhooks::signature_matches(secret, got.body, got.header("x-chatd-signature")));
    CHECK_FALSE(webhooks::signature_matches("another secret of 16+", got.body, got.header("x-chatd-signature")));

    auto body = nlohmann::json::parse(got.body);
    CHECK(body["type"] == "ticket.created");
    CHECK(body["id"] == got.header("x-chatd-delivery"));
    CHECK(body["tenant"] == "acme");
    const auto& d = body["data"];
    CHECK(d["ticket"]["summary"] == "invoice engine bug");
    CHECK(d["ticket"]["escalated_by"] == "acme/ada");
    // Standard, severity 3 (the default): by the end of the second business day (UTC: no region).
    CHECK(d["ticket"]["respond_by"] == "2026-01-08T00:00:00Z");
    CHECK(d["conversation"]["id"] == c);
    CHECK(d["conversation"]["customer"]["user"] == "alice");
    CHECK(d["conversation"]["customer"]["tier"] == "standard");
    CHECK(d["conversation"]["topic"] == "billing");
    CHECK(d["conversation"]["priority"] == "normal");
    std::vector<std::string> texts;
    for (const auto& m : d["transcript"]) texts.push_back(m["text"]);
    CHECK(texts == std::vector<std::string>{"the invoice total is wrong", "Looking into it now", "Thanks, it's invoice 42"});
    REQUIRE(d["internal_notes"].size() == 1);
    CHECK(d["internal_notes"][0]["text"] == "engine rounds twice");

    // Nothing more comes: it was taken once.
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    CHECK(receiver.count() == 1);
}

TEST_CASE("a receiver that is down for a while gets each event once when it comes back", "[integration][webhooks]") {
    webhook_receiver receiver;
    receiver.down();
    server_fixture f(with_webhook(receiver, {"conversation.opened", "conversation.closed"}));
    auto alice = f.customer("alice");
    auto c1 = server_fixture::open(*alice, "billing", "first question");
    auto c2 = server_fixture::open(*alice, "login", "second question");
    std::this_thread::sleep_for(std::chrono::milliseconds(400)); // several failed tries meanwhile
    receiver.up();
    REQUIRE(receiver.wait_for(2));
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    auto got = deliveries(receiver);
    CHECK(got.size() == 2);
    for (const auto& [id, times] : got) CHECK(times == 1);
    std::set<std::string> conversations;
    for (const auto& q : receiver.received()) {
        CHECK(webhooks::signature_matches(secret, q.body, q.header("x-chatd-signature")));
        conversations.insert(nlohmann::json::parse(q.body)["data"]["conversation"]["id"]);
    }
    CHECK(conversations == std::set<std::string>{c1, c2});
}

TEST_CASE("events waiting for a receiver survive a restart of chatd and are delivered once after it", "[integration][webhooks]") {
    webhook_receiver receiver;
    receiver.down();
    server_fixture f(with_webhook(receiver, {"conversation.opened"}));
    {
        auto alice = f.customer("alice");
        server_fixture::open(*alice, "billing", "before the restart");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    f.restart();
    receiver.up();
    REQUIRE(receiver.wait_for(1));
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    CHECK(receiver.count() == 1);
}

TEST_CASE("an event refused every time becomes a dead letter after its tries, and a replay delivers it",
          "[integration][webhooks]") {
    webhook_receiver receiver;
    receiver.answer(500);
    server_fixture f(with_webhook(receiver, {"conversation.opened"}, 3));
    auto alice = f.customer("alice");
    auto c = server_fixture::open(*alice, "billing", "will be refused");
    REQUIRE(receiver.wait_for(3));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    auto tries = receiver.received();
    REQUIRE(tries.size() == 3); // given up: no fourth
    for (std::size_t i = 0; i < tries.size(); ++i) CHECK(tries[i].header("x-chatd-attempt") == std::to_string(i + 1));
    CHECK(deliveries(receiver).size() == 1);

    auto dead = chatctl({"dead", "--tenant", "acme", "--format", "json"}, f);
    auto list = nlohmann::json::parse(dead);
    REQUIRE(list.size() == 1);
    CHECK(list[0]["type"] == "conversation.opened");
    CHECK(list[0]["tries"] == 3);
    CHECK(list[0]["error"] == "HTTP 500");

    // A team lead sees it over HTTP too; another tenant's lead does not.
    auto lead = f.token(role::monitor, "lena");
    auto seen = http_get(f.port(), "/api/v1/webhooks/dead", lead);
    REQUIRE(seen.status == 200);
    auto letters = nlohmann::json::parse(seen.body)["dead_letters"];
    REQUIRE(letters.size() == 1);
    CHECK(letters[0]["body"]["data"]["conversation"]["id"] == c);
    auto other = f.token(role::monitor, "olga", chat::queue::tier::standard, "globex");
    CHECK(nlohmann::json::parse(http_get(f.port(), "/api/v1/webhooks/dead", other).body)["dead_letters"].empty());
    CHECK(http_get(f.port(), "/api/v1/webhooks/dead", f.token(role::expert, "ada")).status == 403);

    receiver.answer(200);
    CHECK(chatctl({"replay", "--all", "--tenant", "acme"}, f) == "replayed 1 (delivered by the shard's owner within a few seconds)\n");
    REQUIRE(receiver.wait_for(4));
    auto last = receiver.received().back();
    CHECK(last.header("x-chatd-delivery") == tries[0].header("x-chatd-delivery")); // the same idempotency key
    CHECK(last.header("x-chatd-attempt") == "1");
    CHECK(chatctl({"dead", "--tenant", "acme"}, f) == "no dead letters\n");
    // The operator's replay is in the tenant's audit log, written by the replay itself (at the machine's time).
    auto log = nlohmann::json::parse(http_get(f.port(), "/api/v1/audit?from=2026-01-05T00:00:00Z&to=2100-01-01T00:00:00Z", lead).body);
    auto entries = log["entries"];
    auto by_operator = std::find_if(entries.begin(), entries.end(), [](const nlohmann::json& e) {
        return e["action"] == "replay_webhook" && e["actor"] == "chatctl" && e["role"] == "operator";
    });
    CHECK(by_operator != entries.end());
}

TEST_CASE("a team lead replays a dead letter over the HTTP API, and only their tenant's", "[integration][webhooks]") {
    webhook_receiver receiver;
    receiver.answer(503);
    server_fixture f(with_webhook(receiver, {"conversation.opened"}, 1));
    auto alice = f.customer("alice");
    server_fixture::open(*alice, "billing", "refused once, given up");
    REQUIRE(receiver.wait_for(1));
    auto lead = f.token(role::monitor, "lena");
    nlohmann::json letters;
    for (int i = 0; i < 100 && letters.empty(); ++i) {
        letters = nlohmann::json::parse(http_get(f.port(), "/api/v1/webhooks/dead", lead).body)["dead_letters"];
        if (letters.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    REQUIRE(letters.size() == 1);
    std::string id = letters[0]["id"];
    using boost::beast::http::verb;
    auto other = f.token(role::monitor, "olga", chat::queue::tier::standard, "globex");
    CHECK(http_request(f.port(), verb::post, "/api/v1/webhooks/dead/" + id + "/replay", other, "").status == 404);
    CHECK(http_request(f.port(), verb::post, "/api/v1/webhooks/dead/not-an-id/replay", lead, "").status == 400);
    CHECK(http_request(f.port(), verb::post, "/api/v1/webhooks/dead/" + id + "/replay", f.token(role::expert, "ada"), "").status == 403);

    receiver.answer(200);
    auto replayed = http_request(f.port(), verb::post, "/api/v1/webhooks/dead/" + id + "/replay", lead, "");
    INFO(replayed.body);
    REQUIRE(replayed.status == 200);
    REQUIRE(receiver.wait_for(2));
    CHECK(http_request(f.port(), verb::post, "/api/v1/webhooks/dead/" + id + "/replay", lead, "").status == 404);
    // The replay is in the tenant's audit log.
    auto log = http_get(f.port(), "/api/v1/audit?from=2026-01-05T00:00:00Z&to=2026-01-06T00:00:00Z", lead);
    CHECK(log.body.find("\"replay_webhook\"") != std::string::npos);
}

TEST_CASE("an https endpoint is reached when its certificate checks out, and refused when it does not",
          "[integration][webhooks][tls]") {
    tls_receiver receiver;
    auto endpoint = [&](const std::string& name, const std::string& host, std::string ca_file) {
        webhooks::endpoint e;
        e.name = name;
        e.url = receiver.url(host);
        e.secret = secret;
        e.events = {"conversation.opened"};
        e.retry.max_attempts = 1;
        e.ca_file = std::move(ca_file);
        return e;
    };
    server_fixture f([&](chat::server::config& c) {
        c.webhooks.endpoints = {endpoint("trusted", "localhost", receiver.certificate().string()),
                                // The system's CAs do not know the test's certificate.
                                endpoint("untrusted", "localhost", ""),
                                // Trusted, but issued to localhost, not to 127.0.0.1.
                                endpoint("wrong-name", "127.0.0.1", receiver.certificate().string())};
    });
    auto alice = f.customer("alice");
    auto c = server_fixture::open(*alice, "billing", "over TLS");
    for (int i = 0; i < 500 && receiver.bodies().empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    REQUIRE(receiver.bodies().size() == 1);
    CHECK(nlohmann::json::parse(receiver.bodies()[0])["data"]["conversation"]["id"] == c);

    nlohmann::json dead;
    for (int i = 0; i < 500 && dead.size() < 2; ++i) {
        dead = nlohmann::json::parse(chatctl({"dead", "--format", "json"}, f));
        if (dead.size() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    REQUIRE(dead.size() == 2);
    std::map<std::string, std::string> errors;
    for (const auto& d : dead) errors[d["endpoint"]] = d["error"];
    CHECK_THAT(errors["untrusted"], Catch::Matchers::Contains("certificate verify failed"));
    CHECK_THAT(errors["wrong-name"], Catch::Matchers::Contains("certificate verify failed"));
    CHECK(receiver.bodies().size() == 1);
}
