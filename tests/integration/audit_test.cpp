// The tenant's audit log: each action of an expert or a team lead is appended in the commit of
// the action itself, and team leads read it over HTTP and operators with chatctl.

#include "http_get.hpp"
#include "server_commands.hpp"
#include "server_fixture.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace chat::test;
using chat::protocol::role;

namespace {

const std::string day = "from=2026-01-05T00:00:00Z&to=2026-01-06T00:00:00Z";

nlohmann::json audit(server_fixture& f, const std::string& token, const std::string& query = day) {
    auto r = http_get(f.port(), "/api/v1/audit?" + query, token);
    INFO(r.body);
    REQUIRE(r.status == 200);
    return nlohmann::json::parse(r.body);
}

std::vector<std::string> actions(const nlohmann::json& log) {
    std::vector<std::string> out;
    for (const auto& e : log["entries"]) out.push_back(e["action"]);
    return out;
}

} // namespace

TEST_CASE("an expert's actions are in the tenant's audit log, in order, with who, what, when and why", "[integration][audit]") {
    server_fixture f;
    auto ada = f.expert("ada");
    auto alice = f.customer("alice");
    auto c = server_fixture::open(*alice, "billing", "double charge");
    server_fixture::accept(*ada, c);
    REQUIRE(ada->request({{"type", "hold"}, {"conversation", c}})["type"] == "ok");
    REQUIRE(alice->request({{"type", "resume"}, {"conversation", c}})["type"] == "ok"); // the customer's: not audited
    REQUIRE(ada->request({{"type", "escalate"}, {"conversation", c}, {"summary", "refund needs finance"}})["type"] == "ok");

    auto log = audit(f, f.token(role::monitor, "lead"));
    CHECK(actions(log) == std::vector<std::string>{"capacity", "presence", "accept", "hold", "escalate"});
    const auto& escalated = log["entries"][4];
    CHECK(escalated["actor"] == "acme/ada");
    CHECK(escalated["role"] == "expert");
    CHECK(escalated["conversation"] == c);
    CHECK(escalated["detail"] == "refund needs finance");
    CHECK(escalated["at"] == "2026-01-05T10:00:00Z");
    CHECK(log["entries"][1]["detail"] == "available");
    CHECK(log["more"] == false);

    // A page at a time; a window before the actions is empty.
    auto first = audit(f, f.token(role::monitor, "lead"), day + "&limit=2");
    CHECK(first["entries"].size() == 2);
    CHECK(first["more"] == true);
    CHECK(audit(f, f.token(role::monitor, "lead"), "from=2026-01-04T00:00:00Z&to=2026-01-05T09:59:59Z")["entries"].empty());
}

TEST_CASE("only a tenant's own team leads read its audit log", "[integration][audit]") {
    server_fixture f;
    auto ada = f.expert("ada");
    CHECK(http_get(f.port(), "/api/v1/audit?" + day, f.token(role::expert, "ada")).status == 403);
    CHECK(http_get(f.port(), "/api/v1/audit?" + day, f.token(role::customer, "alice")).status == 403);
    CHECK(http_get(f.port(), "/api/v1/audit?" + day).status == 401);
    CHECK(http_get(f.port(), "/api/v1/audit?from=yesterday&to=now", f.token(role::monitor, "lead")).status == 400);
    auto other = http_get(f.port(), "/api/v1/audit?" + day, f.token(role::monitor, "lead", chat::queue::tier::standard, "globex"));
    REQUIRE(other.status == 200);
    CHECK(nlohmann::json::parse(other.body)["entries"].empty());
}

TEST_CASE("chatctl audit prints a tenant's audit log", "[integration][audit][chatctl]") {
    server_fixture f;
    auto ada = f.expert("ada");
    auto alice = f.customer("alice");
    auto c = server_fixture::open(*alice, "sso", "okta loops");
    server_fixture::accept(*ada, c);
    std::ostringstream out, err;
    int code = chat::tools::audit_command({"--data-dir", f.data_dir().string(), "--tenant", "acme", "--from", "2026-01-05T00:00:00Z",
                                           "--to", "2026-01-06T00:00:00Z"},
                                          out, err);
    INFO(err.str());
    CHECK(code == 0);
    CHECK(out.str().find("2026-01-05T10:00:00Z  acme/ada (expert)  accept  " + c) != std::string::npos);
    std::ostringstream none, err2;
    CHECK(chat::tools::audit_command({"--data-dir", f.data_dir().string()}, none, err2) == 2);
}
