// The ticket system reports back on the tickets chatd gave it (POST /api/v1/tickets/ID/status,
// signed with the endpoint's secret): the status reaches the customer and stays listed with
// their tickets; a public comment joins the escalated conversation once, as a message.

#include "chat/server/webhooks/signature.hpp"
#include "http_get.hpp"
#include "server_fixture.hpp"
#include "webhook_receiver.hpp"

#include <catch2/catch.hpp>

using namespace chat::test;
using chat::protocol::role;
namespace webhooks = chat::server::webhooks;
using boost::beast::http::verb;

namespace {

const std::string secret = "a-shared-secret-of-the-ticket-system";

// chatd with the ticket system's endpoint "desk" at `receiver`, taking the tickets of `tenants` (all when empty).
std::function<void(chat::server::config&)> with_desk(const webhook_receiver& receiver, std::set<std::string> tenants = {}) {
    return [&receiver, tenants](chat::server::config& c) {
        webhooks::endpoint e;
        e.name = "desk";
        e.url = receiver.url();
        e.secret = secret;
        e.events = {"ticket.created"};
        e.tenants = tenants;
        c.webhooks.endpoints = {e};
    };
}

struct signed_by {
    std::string endpoint = "desk";
    std::string key = secret;
};

http_result report(const server_fixture& f, const std::string& ticket, const nlohmann::json& body, signed_by s = {}) {
    auto text = body.dump();
    return http_request(f.port(), verb::post, "/api/v1/tickets/" + ticket + "/status", std::nullopt, text,
                        {{"Content-Type", "application/json"},
                         {"X-Chatd-Endpoint", s.endpoint},
                         {"X-Chatd-Signature", webhooks::signature(s.key, text)}});
}

// Ada escalates the conversation she holds with Alice; its ticket's id.
std::string escalate(chatting& chat) {
    REQUIRE(chat.ada->request({{"type", "escalate"}, {"conversation", chat.c}, {"summary", "exports time out"}})["type"] == "ok");
    auto escalated = chat.alice->wait_for("escalated", chat.c);
    return escalated["ticket"];
}

nlohmann::json pending_with_comment() {
    return {{"tenant", "acme"},
            {"status", "Pending"},
            {"comment", {{"id", "zd-101"}, {"author", "Jane (Support)"}, {"text", "We reproduced it; a fix ships Friday."}}}};
}

bool is_comment(const nlohmann::json& j) { return j.value("type", "") == "message" && j.contains("ticket"); }

} // namespace

TEST_CASE("the ticket system's status and public comment reach the customer of an escalated conversation, once",
          "[integration][tickets]") {
    webhook_receiver receiver;
    server_fixture f(with_desk(receiver));
    chatting chat(f, "exports", "the CSV export times out");
    auto ticket = escalate(chat);
    CHECK(ticket == "T-" + chat.c);

    auto ok = report(f, ticket, pending_with_comment());
    INFO(ok.body);
    REQUIRE(ok.status == 200);
    auto answer = nlohmann::json::parse(ok.body);
    CHECK(answer["ticket"] == ticket);
    CHECK(answer["status"] == "Pending");
    auto seq = answer["comment"]["seq"].get<std::uint64_t>();
    CHECK(seq == 2); // after the customer's opening message

    auto status = chat.alice->wait_for("ticket", chat.c);
    CHECK(status["ticket"] == ticket);
    CHECK(status["status"] == "Pending");
    auto comment = chat.alice->wait_for(is_comment);
    CHECK(comment["seq"] == seq);
    CHECK(comment["from"] == "expert");
    CHECK(comment["name"] == "Jane (Support)");
    CHECK(comment["text"] == "We reproduced it; a fix ships Friday.");
    CHECK(comment["ticket"] == ticket);
    // The expert who escalated it hears of it too.
    CHECK(chat.ada->wait_for("ticket", chat.c)["status"] == "Pending");
    CHECK(chat.ada->wait_for(is_comment)["seq"] == seq);

    SECTION("the ticket system's retry of the same comment is answered with its number and stored once") {
        auto again = report(f, ticket, pending_with_comment());
        REQUIRE(again.status == 200);
        auto j = nlohmann::json::parse(again.body);
        CHECK(j["comment"]["seq"] == seq);
        CHECK(j["comment"]["repeated"] == true);
        CHECK_FALSE(chat.alice->saw(is_comment));
    }
    SECTION("the customer's tickets list it with the status, and its history holds the comment") {
        auto later = f.customer("alice");
        auto listed = later->request({{"type", "tickets"}});
        REQUIRE(listed["type"] == "tickets");
        REQUIRE(listed["tickets"].size() == 1);
        CHECK(listed["tickets"][0]["ticket"] == ticket);
        CHECK(listed["tickets"][0]["conversation"] == chat.c);
        CHECK(listed["tickets"][0]["topic"] == "exports");
        CHECK(listed["tickets"][0]["status"] == "Pending");
        CHECK(listed["tickets"][0].contains("updated_at"));
        REQUIRE(later->request({{"type", "history"}, {"conversation", chat.c}})["type"] == "ok");
        auto replayed = later->wait_for(is_comment);
        CHECK(replayed["seq"] == seq);
        CHECK(replayed["ticket"] == ticket);
        // Another customer has no tickets.
        CHECK(f.customer("bob")->request({{"type", "tickets"}})["tickets"].empty());
    }
    SECTION("each report is in the tenant's audit log, by the endpoint") {
        auto log = http_get(f.port(), "/api/v1/audit?from=2026-01-05T00:00:00Z&to=2026-01-06T00:00:00Z", f.token(role::monitor, "lead"));
        REQUIRE(log.status == 200);
        auto entries = nlohmann::json::parse(log.body)["entries"];
        std::set<std::string> actions;
        for (const auto& e : entries)
            if (e["actor"] == "webhook:desk") actions.insert(e["action"].get<std::string>() + " " + e["detail"].get<std::string>());
        CHECK(actions == std::set<std::string>{"ticket_status Pending", "ticket_comment seq 2"});
    }
}

TEST_CASE("a report that is not signed by a ticket endpoint, or not about the tenant's ticket, is refused and changes nothing",
          "[integration][tickets][security]") {
    webhook_receiver receiver;
    server_fixture f(with_desk(receiver));
    chatting chat(f, "exports", "the CSV export times out");
    auto open_one = server_fixture::open(*f.customer("carol"), "sso", "cannot sign in");
    auto ticket = escalate(chat);
    auto status = nlohmann::json{{"tenant", "acme"}, {"status", "Solved"}};

    CHECK(report(f, ticket, status, {"desk", "not-the-secret-of-the-desk"}).status == 401);
    CHECK(report(f, ticket, status, {"nobody", secret}).status == 401);
    auto unsigned_post = http_request(f.port(), verb::post, "/api/v1/tickets/" + ticket + "/status", std::nullopt, status.dump(),
                                      {{"X-Chatd-Endpoint", "desk"}});
    CHECK(unsigned_post.status == 401);
    CHECK(nlohmann::json::parse(unsigned_post.body)["code"] == "bad_signature");
    // Another tenant's name for the same ticket finds nothing.
    CHECK(report(f, ticket, {{"tenant", "globex"}, {"status", "Solved"}}).status == 404);
    // A conversation that was never escalated has no ticket.
    CHECK(report(f, "T-" + open_one, status).status == 404);
    CHECK(report(f, "T-c-none", status).status == 404);
    CHECK(report(f, chat.c, status).status == 400); // not a ticket's id
    CHECK(report(f, ticket, {{"tenant", "acme"}}).status == 400);
    CHECK(report(f, ticket, {{"tenant", "acme"}, {"status", std::string(65, 'x')}}).status == 400);
    CHECK(report(f, ticket, {{"tenant", "acme"}, {"comment", {{"id", "bad id!"}, {"author", "J"}, {"text", "t"}}}}).status == 400);
    CHECK(report(f, ticket, {{"tenant", "acme"}, {"comment", {{"id", "c1"}, {"author", "J"}, {"text", ""}}}}).status == 400);
    CHECK(report(f, ticket, {{"status", "Solved"}}).status == 400); // no tenant
    CHECK(http_get(f.port(), "/api/v1/tickets/" + ticket + "/status").status == 405);

    CHECK_FALSE(chat.alice->saw([](const nlohmann::json& j) { return j.value("type", "") == "ticket" || is_comment(j); }));
    CHECK(f.customer("alice")->request({{"type", "tickets"}})["tickets"][0].count("status") == 0);
}

TEST_CASE("an endpoint reports only on the tickets of the tenants it takes", "[integration][tickets][security]") {
    webhook_receiver receiver;
    server_fixture f(with_desk(receiver, {"globex"}));
    chatting chat(f, "exports", "the CSV export times out");
    auto ticket = escalate(chat);
    auto refused = report(f, ticket, {{"tenant", "acme"}, {"status", "Solved"}});
    CHECK(refused.status == 403);
    CHECK(nlohmann::json::parse(refused.body)["code"] == "not_allowed");
}

TEST_CASE("after a restart a comment is numbered after the conversation's last message, and a retried one is still known",
          "[integration][tickets][recovery]") {
    webhook_receiver receiver;
    server_fixture f(with_desk(receiver));
    std::string ticket, conversation;
    {
        chatting chat(f, "exports", "the CSV export times out");
        server_fixture::say(*chat.ada, chat.c, "Let me check the logs", "a1");
        ticket = escalate(chat);
        conversation = chat.c;
        REQUIRE(report(f, ticket, pending_with_comment()).status == 200); // seq 3
        // Her survey answered, the conversation leaves memory: the next reports find it in Redis.
        REQUIRE(chat.alice->request({{"type", "survey"}, {"conversation", chat.c}, {"rating", 4}})["type"] == "ok");
    }
    f.restart();
    auto again = report(f, ticket, pending_with_comment());
    REQUIRE(again.status == 200);
    CHECK(nlohmann::json::parse(again.body)["comment"]["repeated"] == true);
    auto next = report(f, ticket, {{"tenant", "acme"}, {"comment", {{"id", "zd-102"}, {"author", "Jane (Support)"}, {"text", "Fixed."}}}});
    REQUIRE(next.status == 200);
    CHECK(nlohmann::json::parse(next.body)["comment"]["seq"] == 4);

    auto alice = f.customer("alice");
    REQUIRE(alice->request({{"type", "history"}, {"conversation", conversation}})["type"] == "ok");
    std::vector<std::string> texts;
    for (int i = 0; i < 4; ++i) texts.push_back(alice->wait_for("message", conversation)["text"]);
    CHECK(texts == std::vector<std::string>{"the CSV export times out", "Let me check the logs", "We reproduced it; a fix ships Friday.",
                                            "Fixed."});
}
