#include "server_commands.hpp"

#include "server_fixture.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace chat::test;
using chat::queue::tier;

namespace {

struct run_result {
    int code;
    std::string out, err;
};

template <class Command> run_result run(Command command, std::vector<std::string> args) {
    std::ostringstream out, err;
    int code = command(args, out, err);
    return {code, out.str(), err.str()};
}

} // namespace

TEST_CASE("chatctl token mints a token chatd accepts", "[integration][chatctl]") {
    server_fixture f;
    auto r = run(chat::tools::token_command, {"--data-dir", f.data_dir().string(), "--role", "customer", "--sub", "alice",
                                              "--tenant", "acme", "--tier", "enterprise", "--name", "Alice"});
    REQUIRE(r.code == 0);
    std::string token = r.out.substr(0, r.out.size() - 1);
    // chatctl mints on the system clock; move the server's clock there so the token is current.
    f.clock.set(chat::server::system_clock().now());
    ws_client c(f.port());
    c.send({{"type", "hello"}, {"token", token}});
    auto welcome = c.wait_for("welcome");
    CHECK(welcome["tier"] == "enterprise");
    CHECK(welcome["name"] == "Alice");
    CHECK(run(chat::tools::token_command, {"--data-dir", "x", "--role", "boss", "--sub", "a", "--tenant", "t"}).code == 2);
}

TEST_CASE("chatctl token mints an expert's skills", "[integration][chatctl]") {
    server_fixture f;
    auto r = run(chat::tools::token_command, {"--data-dir", f.data_dir().string(), "--role", "expert", "--sub", "ada",
                                              "--tenant", "acme", "--skills", "billing,api"});
    REQUIRE(r.code == 0);
    f.clock.set(chat::server::system_clock().now());
    ws_client c(f.port());
    c.send({{"type", "hello"}, {"token", r.out.substr(0, r.out.size() - 1)}});
    CHECK(c.wait_for("welcome")["granted_skills"] == nlohmann::json::array({"api", "billing"}));
    CHECK(run(chat::tools::token_command, {"--data-dir", f.data_dir().string(), "--role", "expert", "--sub", "ada",
                                           "--tenant", "acme", "--skills", "bill ing"}).code == 2);
}

TEST_CASE("chatctl queue lists what waits in routing order", "[integration][chatctl]") {
    server_fixture f;
    auto sam = f.customer("sam");
    auto erin = f.customer("erin", tier::enterprise);
    auto s = server_fixture::open(*sam, "export", "csv export is empty");
    auto e = server_fixture::open(*erin, "sso", "cannot sign in with sso");
    auto r = run(chat::tools::queue_command, {"--data-dir", f.data_dir().string(), "--format", "json"});
    REQUIRE(r.code == 0);
    auto rows = nlohmann::json::parse(r.out);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0]["conversation"] == e);
    CHECK(rows[1]["conversation"] == s);
    auto text = run(chat::tools::queue_command, {"--data-dir", f.data_dir().string()});
    CHECK(text.out.find("1. " + e) == 0);
}

TEST_CASE("chatctl conversation shows and exports a transcript", "[integration][chatctl]") {
    server_fixture f;
    auto ada = f.expert("ada");
    auto alice = f.customer("alice");
    auto c = server_fixture::open(*alice, "billing", "refund please");
    server_fixture::accept(*ada, c);
    server_fixture::say(*ada, c, "done", "a1");
    auto show = run(chat::tools::conversation_command, {"show", c, "--data-dir", f.data_dir().string()});
    REQUIRE(show.code == 0);
    auto doc = nlohmann::json::parse(show.out);
    CHECK(doc["conversation"]["state"] == "active");
    CHECK(doc["transcript"].size() == 2);
    auto text = run(chat::tools::conversation_command, {"export", c, "--data-dir", f.data_dir().string()});
    CHECK(text.out.find("alice (name) (customer): refund please") != std::string::npos);
    CHECK(text.out.find("ada (name) (expert): done") != std::string::npos);
    auto missing = run(chat::tools::conversation_command, {"show", "c-none", "--data-dir", f.data_dir().string()});
    CHECK(missing.code == 1);
    CHECK(run(chat::tools::conversation_command, {"show", "bad id!"}).code == 2);
}
