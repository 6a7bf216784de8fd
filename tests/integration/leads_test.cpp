// Passing a conversation on by name, and the team leads' controls: transfers to a colleague or a
// team, a lead's live view and whisper, reassignment, takeover, expert settings, restrictions,
// and an expert asking a lead for help. Each control is refused to experts and to other tenants.

#include "http_get.hpp"
#include "server_fixture.hpp"

#include <catch2/catch.hpp>

using namespace chat::test;
using namespace std::chrono_literals;
using chat::protocol::role;

namespace {

bool type_is(const nlohmann::json& j, const std::string& type) { return j.value("type", "") == type; }

// Waits for a frame of `type` about `c` whose `field` is `value` (earlier ones of the type stay waiting).
nlohmann::json told(ws_client& who, const std::string& type, const std::string& c, const std::string& field,
                    const std::string& value, std::chrono::milliseconds within = 5s) {
    return who.wait_for([&](const nlohmann::json& j) {
        return type_is(j, type) && j.value("conversation", "") == c && j.value(field, "") == value;
    }, within);
}

nlohmann::json transfer(ws_client& who, const std::string& c, nlohmann::json to) {
    nlohmann::json r{{"type", "transfer"}, {"conversation", c}};
    r.update(to);
    return who.request(r);
}

std::vector<std::string> audited(server_fixture& f) {
    auto r = http_get(f.port(), "/api/v1/audit?from=2026-01-05T00:00:00Z&to=2026-01-06T00:00:00Z", f.token(role::monitor, "lead"));
    REQUIRE(r.status == 200);
    INFO(r.body);
    std::vector<std::string> out;
    auto log = nlohmann::json::parse(r.body);
    for (const auto& e : log["entries"]) out.push_back(e["action"].get<std::string>() + " " + e["detail"].get<std::string>());
    return out;
}

bool contains(const std::vector<std::string>& lines, const std::string& start) {
    for (const auto& l : lines)
        if (l.rfind(start, 0) == 0) return true;
    UNSCOPED_INFO("audit log: " + nlohmann::json(lines).dump());
    return false;
}

// Reads what is still coming, then checks that no frame the customer got holds a secret.
void nothing_private_reached(ws_client& customer) {
    while (customer.next(200ms)) {
    }
    REQUIRE_FALSE(customer.received().empty());
    for (const auto& frame : customer.received()) {
        INFO(frame);
        CHECK(frame.find("SECRET") == std::string::npos);
        CHECK(frame.find("\"note\"") == std::string::npos);
    }
}

} // namespace

TEST_CASE("an expert transfers a conversation to a named colleague who reads the card before accepting",
          "[integration][transfer]") {
    server_fixture f;
    chatting chat(f, "sso", "okta login loops forever");
    auto& [ada, alice, c] = chat;
    auto bob = f.expert("bob");
    auto ok = transfer(*ada, c, {{"to", "bob"}, {"note", "SECRET needs an Okta admin"}, {"tried", "SECRET cleared cookies"}});
    REQUIRE(ok["type"] == "ok");

    auto offer = bob->wait_for("offered", c);
    const auto& card = offer["hand_offs"].back();
    CHECK(card["from"] == "ada");
    CHECK(card["to"] == "bob");
    CHECK(card["to_name"] == "bob (name)");
    CHECK(card["note"] == "SECRET needs an Okta admin");
    auto left = ada->wait_for("handed_off", c);
    CHECK(left["to"] == "bob");
    auto thread = bob->request({{"type", "notes"}, {"conversation", c}});
    REQUIRE(thread["notes"].size() == 1);
    CHECK(thread["notes"][0]["text"] ==
          "Transferred to bob (name)\nNote: SECRET needs an Okta admin\nTried: SECRET cleared cookies");

    REQUIRE(bob->request({{"type", "accept"}, {"conversation", c}})["type"] == "ok");
    told(*alice, "assigned", c, "expert_name", "bob (name)");
    server_fixture::say(*bob, c, "hello, bob here", "b1");
    CHECK(contains(audited(f), "transfer to bob: SECRET needs an Okta admin"));
    nothing_private_reached(*alice);
}

TEST_CASE("a declined transfer goes back to the queue in its place and another expert gets it",
          "[integration][transfer]") {
    server_fixture f;
    auto ada = f.expert("ada", 1);
    auto alice = f.customer("alice");
    auto c = server_fixture::open(*alice, "billing", "invoice total is wrong");
    server_fixture::accept(*ada, c);
    auto bob = f.expert("bob", 1);
    REQUIRE(transfer(*ada, c, {{"to", "bob"}})["type"] == "ok");
    bob->wait_for("offered", c);
    REQUIRE(bob->request({{"type", "decline"}, {"conversation", c}})["type"] == "ok");
    // Neither ada (who passed it on) nor bob (who declined) get it again; carol does.
    auto carol = f.expert("carol", 1);
    server_fixture::accept(*carol, c);
    told(*alice, "assigned", c, "expert_name", "carol (name)");
}

TEST_CASE("a transfer to a busy colleague or an unknown team is refused and the conversation stays",
          "[integration][transfer]") {
    server_fixture f;
    chatting chat(f, "billing", "invoice total is wrong");
    auto& [ada, alice, c] = chat;
    auto bob = f.expert("bob", 0);
    CHECK(transfer(*ada, c, {{"to", "bob"}})["code"] == "expert_unavailable");
    CHECK(transfer(*ada, c, {{"to", "nobody"}})["code"] == "unknown_expert");
    CHECK(transfer(*ada, c, {{"team", "legal"}})["code"] == "unknown_team");
    CHECK(transfer(*ada, c, {{"to", "bob"}, {"team", "billing"}})["code"] == "invalid_argument");
    CHECK(transfer(*alice, c, {{"to", "bob"}})["code"] == "wrong_role");
    CHECK(transfer(*bob, c, {{"to", "ada"}})["code"] == "unknown_conversation");
    CHECK(server_fixture::say(*ada, c, "still here", "a1")["type"] == "ok");
}

TEST_CASE("a transfer to a team keeps the conversation's place and goes to an expert of that team",
          "[integration][transfer]") {
    server_fixture f;
    chatting chat(f, "billing", "invoice total is wrong");
    auto& [ada, alice, c] = chat;
    auto gina = f.skilled_expert("gina", {"api"});
    auto bill = f.skilled_expert("bill", {"billing"});
    REQUIRE(transfer(*ada, c, {{"team", "billing"}, {"note", "refund over the limit"}})["type"] == "ok");
    auto offer = bill->wait_for("offered", c);
    CHECK(offer["required_skills"] == nlohmann::json::array({"billing"}));
    CHECK(offer["hand_offs"].back()["team"] == "billing");
    CHECK(contains(audited(f), "transfer to team billing: refund over the limit"));
}

TEST_CASE("a team lead watches a conversation live and whispers to its expert, and the customer sees none of it",
          "[integration][lead]") {
    server_fixture f;
    chatting chat(f, "sso", "okta login loops forever");
    auto& [ada, alice, c] = chat;
    auto lead = f.connect(role::monitor, "lead");
    server_fixture::say(*alice, c, "any news?", "a1");

    auto watched = lead->request({{"type", "history"}, {"conversation", c}, {"after", 0}});
    REQUIRE(watched["type"] == "ok");
    auto snapshot = lead->wait_for("conversation", c);
    CHECK(snapshot["state"] == "active");
    CHECK(told(*lead, "message", c, "text", "any news?")["seq"] == 2);

    // Live: the expert's message, the thread, and a change of state.
    server_fixture::say(*ada, c, "looking into it", "e1");
    told(*lead, "message", c, "text", "looking into it");
    REQUIRE(ada->request({{"type", "note"}, {"conversation", c}, {"text", "SECRET the IdP is down"}, {"client_id", "n1"}})["type"] == "ok");
    told(*lead, "note", c, "text", "SECRET the IdP is down");
    REQUIRE(lead->request({{"type", "note"}, {"conversation", c}, {"text", "SECRET offer the status page"}, {"client_id", "w1"}})["type"] == "ok");
    told(*ada, "note", c, "text", "SECRET offer the status page");
    REQUIRE(ada->request({{"type", "hold"}, {"conversation", c}})["type"] == "ok");
    server_fixture::state(*lead, c, "on_hold");

    REQUIRE(lead->request({{"type", "unwatch"}, {"conversation", c}})["type"] == "ok");
    server_fixture::say(*alice, c, "still there?", "a2");
    told(*ada, "message", c, "text", "still there?");
    CHECK_THROWS(told(*lead, "message", c, "text", "still there?", 300ms));
    nothing_private_reached(*alice);
}

TEST_CASE("a team lead joins a conversation and writes to the customer beside its expert", "[integration][lead]") {
    server_fixture f;
    chatting chat(f, "billing", "invoice total is wrong");
    auto& [ada, alice, c] = chat;
    auto lead = f.connect(role::monitor, "lena");
    CHECK(server_fixture::say(*lead, c, "not yet joined", "l0")["code"] == "not_allowed");
    REQUIRE(lead->request({{"type", "join"}, {"conversation", c}})["type"] == "ok");
    CHECK(alice->wait_for("joined", c)["name"] == "lena (name)");
    CHECK(ada->wait_for("joined", c)["name"] == "lena (name)");
    auto said = server_fixture::say(*lead, c, "Lena here, I approved the refund", "l1");
    REQUIRE(said["type"] == "ok");
    auto seen = told(*alice, "message", c, "text", "Lena here, I approved the refund");
    CHECK(seen["from"] == "expert");
    CHECK(seen["name"] == "lena (name)");
    told(*ada, "message", c, "text", "Lena here, I approved the refund");
    // The lead follows the customer's answer, and the expert still holds the conversation.
    server_fixture::say(*alice, c, "thank you both", "a1");
    told(*lead, "message", c, "text", "thank you both");
    CHECK(server_fixture::say(*ada, c, "anything else?", "e1")["type"] == "ok");
    CHECK(server_fixture::say(*lead, c, "Lena here, I approved the refund", "l1")["seq"] == said["seq"]); // a retry, stored once
    CHECK(ada->request({{"type", "join"}, {"conversation", c}})["code"] == "wrong_role");
    CHECK(contains(audited(f), "join"));
}

TEST_CASE("a team lead reassigns a conversation and places one that every expert declined", "[integration][lead]") {
    server_fixture f;
    auto ada = f.expert("ada", 1);
    auto lead = f.connect(role::monitor, "lead");
    auto alice = f.customer("alice");
    auto c = server_fixture::open(*alice, "billing", "invoice total is wrong");
    server_fixture::accept(*ada, c);
    auto bob = f.expert("bob", 1);
    REQUIRE(lead->request({{"type", "reassign"}, {"conversation", c}, {"to", "bob"}, {"reason", "bob owns billing"}})["type"] == "ok");
    bob->wait_for("assigned", c);
    CHECK(ada->wait_for("handed_off", c)["to"] == "bob");
    told(*alice, "assigned", c, "expert_name", "bob (name)");
    CHECK(server_fixture::say(*bob, c, "bob here", "b1")["type"] == "ok");

    auto bert = f.customer("bert");
    auto d = server_fixture::open(*bert, "api", "rate limits");
    ada->wait_for("offered", d);
    REQUIRE(ada->request({{"type", "decline"}, {"conversation", d}})["type"] == "ok");
    REQUIRE(lead->request({{"type", "reassign"}, {"conversation", d}, {"to", "carl"}})["code"] == "unknown_expert");
    REQUIRE(lead->request({{"type", "reassign"}, {"conversation", d}, {"to", "ada"}, {"reason", "she knows the API"}})["type"] == "ok");
    ada->wait_for("assigned", d);
    auto log = audited(f);
    CHECK(contains(log, "reassign to bob: bob owns billing"));
    CHECK(contains(log, "reassign to ada: she knows the API"));
}

TEST_CASE("a team lead takes a conversation over in the console", "[integration][lead]") {
    server_fixture f;
    chatting chat(f, "billing", "invoice total is wrong");
    auto& [ada, alice, c] = chat;
    auto lead = f.connect(role::monitor, "lena");
    CHECK(lead->request({{"type", "take_over"}, {"conversation", c}})["code"] == "unknown_expert");
    auto console = f.expert("lena");
    REQUIRE(lead->request({{"type", "take_over"}, {"conversation", c}})["type"] == "ok");
    console->wait_for("assigned", c);
    CHECK(server_fixture::say(*console, c, "Lena, team lead, here", "l1")["type"] == "ok");
    CHECK(server_fixture::say(*ada, c, "me too?", "a9")["code"] == "unknown_conversation");
    CHECK(contains(audited(f), "take_over"));
}

TEST_CASE("a team lead sets an expert's presence and capacity, and the expert is told", "[integration][lead]") {
    server_fixture f;
    auto ada = f.expert("ada", 1);
    auto lead = f.connect(role::monitor, "lead");
    REQUIRE(lead->request({{"type", "set_expert"}, {"expert", "ada"}, {"capacity", 4}, {"presence", "away"}, {"reason", "covering lunch"}})["type"] == "ok");
    ada->wait_for([](const nlohmann::json& j) { return type_is(j, "presence") && j["presence"] == "away"; });
    auto board = lead->request({{"type", "subscribe"}});
    REQUIRE(board["type"] == "ok");
    CHECK(lead->request({{"type", "set_expert"}, {"expert", "ada"}})["code"] == "bad_field");
    CHECK(lead->request({{"type", "set_expert"}, {"expert", "nobody"}, {"capacity", 2}})["code"] == "unknown_expert");
    CHECK(contains(audited(f), "set_expert ada presence away capacity 4: covering lunch"));
}

TEST_CASE("a team lead lifts or extends a conduct restriction, always with a reason", "[integration][lead]") {
    server_fixture f;
    chatting chat(f, "billing", "invoice total is wrong");
    auto& [ada, alice, c] = chat;
    auto lead = f.connect(role::monitor, "lead");
    REQUIRE(ada->request({{"type", "report_conduct"}, {"conversation", c}})["type"] == "ok");
    CHECK(alice->request({{"type", "open"}, {"topic", "x"}, {"text", "again"}})["code"] == "restricted");

    CHECK(lead->request({{"type", "restriction"}, {"user", "alice"}, {"until", "2026-03-01T00:00:00Z"}, {"reason", ""}})["code"] == "bad_field");
    REQUIRE(lead->request({{"type", "restriction"}, {"user", "alice"}, {"until", "2026-03-01T00:00:00Z"}, {"reason", "second offence"}})["type"] == "ok");
    CHECK(alice->wait_for([](const nlohmann::json& j) { return type_is(j, "restricted") && j["until"] == "2026-03-01T00:00:00Z"; })["type"] == "restricted");
    REQUIRE(lead->request({{"type", "restriction"}, {"user", "alice"}, {"reason", "apologised by e-mail"}})["type"] == "ok");
    CHECK(alice->request({{"type", "open"}, {"topic", "x"}, {"text", "sorry about that"}})["type"] == "ok");
    CHECK(lead->request({{"type", "restriction"}, {"user", "alice"}, {"reason", "again"}})["code"] == "not_restricted");
    auto log = audited(f);
    CHECK(contains(log, "restriction_extended customer alice until 2026-03-01T00:00:00Z: second offence"));
    CHECK(contains(log, "restriction_lifted customer alice: apologised by e-mail"));
}

TEST_CASE("an expert asks a lead for help: the tenant's leads are told and the thread keeps it", "[integration][lead]") {
    server_fixture f;
    auto ada = f.expert("ada");
    auto lead = f.connect(role::monitor, "lead");
    REQUIRE(lead->request({{"type", "subscribe"}})["type"] == "ok");
    auto other = f.connect(role::monitor, "boss", chat::queue::tier::standard, "globex");
    REQUIRE(other->request({{"type", "subscribe"}})["type"] == "ok");
    auto alice = f.customer("alice");
    auto c = server_fixture::open(*alice, "billing", "invoice total is wrong");
    server_fixture::accept(*ada, c);
    REQUIRE(ada->request({{"type", "ask_lead"}, {"conversation", c}, {"text", "SECRET refund over my limit"}})["type"] == "ok");
    auto asked = lead->wait_for("help_requested", c);
    CHECK(asked["expert"] == "ada");
    CHECK(asked["text"] == "SECRET refund over my limit");
    CHECK_THROWS(other->wait_for("help_requested", 300ms));
    auto thread = ada->request({{"type", "notes"}, {"conversation", c}});
    CHECK(thread["notes"].back()["text"] == "Asked a team lead for help: SECRET refund over my limit");
    nothing_private_reached(*alice);
}

TEST_CASE("each lead control is refused to an expert and to another tenant's lead", "[integration][lead][security]") {
    server_fixture f;
    chatting chat(f, "billing", "invoice total is wrong");
    auto& [ada, alice, c] = chat;
    const std::vector<nlohmann::json> controls = {
        {{"type", "reassign"}, {"conversation", c}, {"to", "ada"}},
        {{"type", "take_over"}, {"conversation", c}},
        {{"type", "set_expert"}, {"expert", "ada"}, {"presence", "offline"}},
        {{"type", "restriction"}, {"user", "alice"}, {"reason", "x"}},
        {{"type", "unwatch"}, {"conversation", c}},
        {{"type", "join"}, {"conversation", c}},
    };
    for (const auto& control : controls) {
        INFO(control);
        CHECK(ada->request(control)["code"] == "wrong_role");
        CHECK(alice->request(control)["code"] == "wrong_role");
    }
    auto outsider = f.connect(role::monitor, "ada", chat::queue::tier::standard, "globex");
    CHECK(outsider->request(controls[0])["code"] == "unknown_conversation");
    CHECK(outsider->request(controls[1])["code"] == "unknown_expert");
    CHECK(outsider->request(controls[2])["code"] == "unknown_expert");
    CHECK(outsider->request(controls[3])["code"] == "not_restricted");
    CHECK(outsider->request(controls[5])["code"] == "unknown_conversation");
    CHECK(server_fixture::say(*outsider, c, "hello", "o1")["code"] == "unknown_conversation");
    CHECK(outsider->request({{"type", "history"}, {"conversation", c}})["code"] == "unknown_conversation");
    CHECK(ada->request({{"type", "ask_lead"}, {"conversation", "nope"}})["code"] == "unknown_conversation");
    // Nothing changed for ada.
    CHECK(server_fixture::say(*ada, c, "still mine", "a1")["type"] == "ok");
}
