// Saved answers: shared by a tenant's staff or an expert's own, stored in Redis, edited and
// deleted, bounded, and kept from customers and other tenants.

#include "http_get.hpp"
#include "server_fixture.hpp"

#include <catch2/catch.hpp>

#include <thread>

using namespace chat::test;
using chat::protocol::role;

namespace {

nlohmann::json save(ws_client& who, nlohmann::json fields) {
    nlohmann::json r{{"type", "answer_save"}};
    r.update(fields);
    auto answer = who.request(r);
    UNSCOPED_INFO(answer.dump());
    return answer;
}

std::vector<std::string> titles(const nlohmann::json& answers) {
    std::vector<std::string> out;
    for (const auto& a : answers["answers"]) out.push_back(a["title"]);
    return out;
}

} // namespace

TEST_CASE("an expert's own saved answers are theirs, the shared ones every colleague's", "[integration][answers]") {
    server_fixture f;
    auto ada = f.expert("ada");
    auto ben = f.expert("ben");
    auto mine = save(*ada, {{"title", "Greeting"}, {"text", "Hi {customer_name}, I'm {expert_name}."}, {"shortcut", "hi"}});
    REQUIRE(mine["type"] == "answers");
    auto shared = save(*ada, {{"title", "Refund policy"}, {"text", "Refunds take 5 business days."}, {"shared", true},
                              {"shortcut", "refund"}, {"action", "propose_time"}, {"in_minutes", 60}});
    REQUIRE(shared["type"] == "answers");
    CHECK(titles(shared) == std::vector<std::string>{"Refund policy", "Greeting"}); // shared first
    const auto& policy = shared["answers"][0];
    CHECK(policy["shared"] == true);
    CHECK(policy["shortcut"] == "refund");
    CHECK(policy["action"] == "propose_time");
    CHECK(policy["in_minutes"] == 60);
    CHECK(policy["updated_by"] == "acme/ada");

    CHECK(titles(ben->request({{"type", "answers"}})) == std::vector<std::string>{"Refund policy"});
    auto lead = f.connect(role::monitor, "lead");
    CHECK(titles(lead->request({{"type", "answers"}})) == std::vector<std::string>{"Refund policy"});
    auto other = f.connect(role::expert, "eve", chat::queue::tier::standard, "globex");
    CHECK(other->request({{"type", "answers"}})["answers"].empty());
    auto alice = f.customer("alice");
    CHECK(alice->request({{"type", "answers"}})["code"] == "wrong_role");
    CHECK(save(*alice, {{"title", "x"}, {"text", "y"}})["code"] == "wrong_role");

    // Shared changes are in the audit log; personal ones are not.
    auto log = http_get(f.port(), "/api/v1/audit?from=2026-01-05T00:00:00Z&to=2026-01-06T00:00:00Z", f.token(role::monitor, "lead"));
    CHECK(log.body.find("\"answer_saved\"") != std::string::npos);
    CHECK(log.body.find("Refund policy") != std::string::npos);
    CHECK(log.body.find("Greeting") == std::string::npos);
}

TEST_CASE("a saved answer is edited and deleted by id, and nobody touches another's own", "[integration][answers]") {
    server_fixture f;
    auto ada = f.expert("ada");
    auto ben = f.expert("ben");
    auto list = save(*ada, {{"title", "Greeting"}, {"text", "Hello"}});
    std::string id = list["answers"][0]["id"];
    auto edited = save(*ada, {{"answer", id}, {"title", "Greeting"}, {"text", "Hello there, {customer_name}"}});
    REQUIRE(edited["answers"].size() == 1);
    CHECK(edited["answers"][0]["text"] == "Hello there, {customer_name}");
    CHECK(save(*ben, {{"answer", id}, {"title", "Mine now"}, {"text", "x"}})["code"] == "invalid_argument");
    CHECK(ben->request({{"type", "answer_delete"}, {"answer", id}})["code"] == "invalid_argument");
    CHECK(ben->request({{"type", "answer_delete"}, {"answer", id}, {"shared", true}})["code"] == "invalid_argument");
    auto after = ada->request({{"type", "answer_delete"}, {"answer", id}});
    REQUIRE(after["type"] == "answers");
    CHECK(after["answers"].empty());
}

TEST_CASE("a saved answer that breaks a rule is refused with the reason and nothing is stored", "[integration][answers]") {
    server_fixture f;
    auto ada = f.expert("ada");
    REQUIRE(save(*ada, {{"title", "Greeting"}, {"text", "Hello"}, {"shortcut", "hi"}})["type"] == "answers");
    CHECK(save(*ada, {{"title", ""}, {"text", "x"}})["code"] == "bad_field");
    CHECK(save(*ada, {{"title", std::string(201, 't')}, {"text", "x"}})["code"] == "bad_field");
    CHECK(save(*ada, {{"title", "t"}, {"text", ""}})["code"] == "bad_field");
    CHECK(save(*ada, {{"title", "t"}, {"text", "x"}, {"action", "dance"}})["code"] == "bad_field");
    CHECK(save(*ada, {{"title", "t"}, {"text", "x"}, {"action", "propose_time"}})["code"] == "bad_field");
    CHECK(save(*ada, {{"title", "t"}, {"text", "x"}, {"action", "hold"}, {"in_minutes", 5}})["code"] == "bad_field");
    CHECK(save(*ada, {{"title", "t"}, {"text", "x"}, {"action", "propose_time"}, {"in_minutes", 0}})["code"] == "bad_field");
    CHECK(save(*ada, {{"title", "t"}, {"text", "x"}, {"action", "set_severity"}})["code"] == "bad_field");
    CHECK(save(*ada, {{"title", "t"}, {"text", "x"}, {"action", "hold"}, {"severity", 1}})["code"] == "bad_field");
    CHECK(save(*ada, {{"title", "t"}, {"text", "x"}, {"action", "set_severity"}, {"severity", 5}})["code"] == "bad_field");
    auto taken = save(*ada, {{"title", "Hi again"}, {"text", "x"}, {"shortcut", "hi"}});
    CHECK(taken["code"] == "bad_field");
    CHECK(taken["message"] == "shortcut: /hi is taken");
    CHECK(titles(ada->request({{"type", "answers"}})) == std::vector<std::string>{"Greeting"});
}

TEST_CASE("an expert keeps at most a hundred saved answers of their own", "[integration][answers][limits]") {
    server_fixture f;
    auto ada = f.expert("ada");
    for (int i = 0; i < 100; ++i) {
        REQUIRE(save(*ada, {{"title", "a" + std::to_string(i)}, {"text", "x"}})["type"] == "answers");
        std::this_thread::sleep_for(std::chrono::milliseconds(60)); // under the connection's 20 frames a second
    }
    auto refused = save(*ada, {{"title", "one more"}, {"text", "x"}});
    CHECK(refused["code"] == "invalid_argument");
    CHECK(ada->request({{"type", "answers"}})["answers"].size() == 100);
    // Shared ones count apart.
    CHECK(save(*ada, {{"title", "shared"}, {"text", "x"}, {"shared", true}})["type"] == "answers");
}

TEST_CASE("saved answers are kept across a restart", "[integration][answers]") {
    server_fixture f;
    {
        auto ada = f.expert("ada");
        REQUIRE(save(*ada, {{"title", "Greeting"}, {"text", "Hello"}})["type"] == "answers");
        REQUIRE(save(*ada, {{"title", "Policy"}, {"text", "Five days"}, {"shared", true}, {"action", "set_severity"}, {"severity", 2}})["type"] == "answers");
    }
    f.restart();
    auto ada = f.connect(role::expert, "ada");
    auto listed = ada->request({{"type", "answers"}});
    CHECK(titles(listed) == std::vector<std::string>{"Policy", "Greeting"});
    CHECK(listed["answers"][0]["action"] == "set_severity");
    CHECK(listed["answers"][0]["severity"] == 2);
    CHECK_FALSE(listed["answers"][1].contains("severity"));
}
