#include "http_get.hpp"
#include "server_fixture.hpp"

#include "chat/server/auth/token.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace chat::test;
using Catch::Matchers::Contains;

namespace {

// A built site in a temporary folder: what web/build.mjs writes, in miniature.
void write_site(const std::filesystem::path& root) {
    std::filesystem::create_directories(root / "console");
    std::filesystem::create_directories(root / "widget");
    std::filesystem::create_directories(root / ".cache");
    std::ofstream(root / "index.html") << "<h1>chatd</h1>";
    std::ofstream(root / "console" / "index.html") << "<title>Expert console</title>";
    std::ofstream(root / "widget" / "chat-widget.js") << "console.log('widget')";
    std::ofstream(root / ".cache" / "secret.txt") << "not served";
}

} // namespace

TEST_CASE("chatd serves the built web clients with their types, security headers and ETags", "[integration][web]") {
    temp_dir site;
    write_site(site.path());
    server_fixture f([&](chat::server::config& c) { c.web_root = site.path(); });

    auto page = http_get(f.port(), "/console/");
    REQUIRE(page.status == 200);
    CHECK(page.body == "<title>Expert console</title>");
    CHECK(page.content_type == "text/html; charset=utf-8");
    CHECK_THAT(page.header("content-security-policy"), Contains("frame-ancestors 'none'"));
    CHECK(page.header("x-content-type-options") == "nosniff");

    auto script = http_get(f.port(), "/widget/chat-widget.js");
    CHECK(script.status == 200);
    CHECK(script.content_type == "text/javascript; charset=utf-8");
    CHECK(script.header("content-security-policy").empty()); // embedded in the host's page

    SECTION("an unchanged file is answered 304 by its ETag") {
        auto again = http_get(f.port(), "/widget/chat-widget.js", {}, {{"If-None-Match", script.header("etag")}});
        CHECK(again.status == 304);
        CHECK(again.body.empty());
    }
    SECTION("a folder without its slash is redirected, the root shows the index") {
        auto bare = http_get(f.port(), "/console");
        CHECK(bare.status == 301);
        CHECK(bare.header("location") == "/console/");
        CHECK(http_get(f.port(), "/").body == "<h1>chatd</h1>");
    }
    SECTION("nothing outside the built files is served") {
        CHECK(http_get(f.port(), "/.cache/secret.txt").status == 404);
        CHECK(http_get(f.port(), "/console/../../etc/passwd").status == 404);
        CHECK(http_get(f.port(), "/widget/%2e%2e/index.html").status == 404);
        CHECK(http_get(f.port(), "/monitor/").status == 404);
    }
}

TEST_CASE("without a web root chatd serves no files", "[integration][web]") {
    server_fixture f;
    CHECK(http_get(f.port(), "/").status == 404);
    CHECK(http_get(f.port(), "/console/").status == 404);
}

TEST_CASE("the development token endpoint is off unless enabled", "[integration][web][security]") {
    server_fixture f;
    auto off = http_get(f.port(), "/dev/token?role=customer&sub=alice&tenant=acme");
    CHECK(off.status == 404);
    CHECK_THAT(off.body, Contains("server.dev_tokens"));
}

TEST_CASE("an enabled development endpoint mints tokens that chatd accepts", "[integration][web][security]") {
    server_fixture f([](chat::server::config& c) { c.dev_tokens = true; });
    auto minted = http_get(f.port(), "/dev/token?role=customer&sub=alice&tenant=acme&tier=enterprise&name=Alice%20A.");
    REQUIRE(minted.status == 200);
    auto token = nlohmann::json::parse(minted.body).at("token").get<std::string>();
    auto v = chat::server::verify_token(token, f.server().gateway().secret, f.clock.now());
    REQUIRE(v.who);
    CHECK(v.who->name == "Alice A.");
    CHECK(v.who->tier == chat::queue::tier::enterprise);

    ws_client alice(f.port());
    alice.send({{"type", "hello"}, {"token", token}});
    auto welcome = alice.wait_for("welcome");
    CHECK(welcome.at("tier") == "enterprise");

    auto elsewhere = http_get(f.port(), "/dev/token?role=customer&sub=alice&tenant=acme", {},
                              {{"Origin", "https://evil.example"}});
    CHECK(elsewhere.status == 403);

    auto bad = http_get(f.port(), "/dev/token?role=admin&sub=alice&tenant=acme");
    CHECK(bad.status == 400);
    CHECK_THAT(bad.body, Contains("role must be"));
}
