// chat-loadgen as the benchmark runs it, briefly: against a real chatd (in process, on the
// system clock, with its embedded Redis), every message delivered once and nothing refused.

#include "chat/server/chat_server.hpp"
#include "chat/server/app/clock.hpp"

#include "redis_fixture.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>

using namespace chat::test;

namespace {

// Runs chat-loadgen with `args`; returns its exit status and the JSON it wrote.
std::pair<int, nlohmann::json> run_loadgen(const temp_dir& dir, const std::string& args) {
    auto json = (dir.path() / "loadgen.json").string();
    auto command = std::string(CHAT_LOADGEN_PATH) + " --progress no --json " + json + ' ' + args + " 2>&1";
    auto* pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe);
    std::string output;
    char line[512];
    while (std::fgets(line, sizeof line, pipe)) output += line;
    int status = ::pclose(pipe);
    INFO(output);
    std::ifstream in(json);
    REQUIRE(in);
    return {status, nlohmann::json::parse(in)};
}

} // namespace

TEST_CASE("chat-loadgen drives conversations through chatd and counts every message once",
          "[integration][loadgen]") {
    temp_dir dir;
    chat::server::config cfg;
    cfg.port = 0;
    cfg.data_dir = dir.path();
    cfg.token_secret = "loadgen-smoke-secret-loadgen-smoke";
    for (auto& t : cfg.policy.tiers) t.hours.always = true;
    cfg.limits.frames_per_second = 10000;
    cfg.limits.frame_burst = 10000;
    cfg.hub.customer_messages_per_second = 10000;
    cfg.hub.customer_message_burst = 10000;
    chat::server::system_clock clock;
    chat::server::chat_server server(cfg, clock);
    server.start();
    std::ofstream(dir.path() / "secret") << cfg.token_secret;

    auto [status, r] = run_loadgen(dir, "--target chatd --port " + std::to_string(server.port()) + " --secret-file " +
                                            (dir.path() / "secret").string() +
                                            " --customers 10 --experts 5 --messages 6 --timeout 60");
    CHECK(status == 0);
    CHECK(r["connections"]["open"] == 15);
    CHECK(r["conversations"]["opened"] == 10);
    CHECK(r["conversations"]["offered"] == 10);
    CHECK(r["conversations"]["assigned"] == 10);
    CHECK(r["conversations"]["closed"] == 10);
    CHECK(r["messages"]["sent"] == 60);
    CHECK(r["messages"]["delivered"] == 60);
    CHECK(r["messages"]["to_expert"]["count"] == 30);
    CHECK(r["messages"]["to_customer"]["count"] == 30);
    CHECK(r["error_count"] == 0);
}

TEST_CASE("chat-loadgen reports the conversations a chatd refuses as errors", "[integration][loadgen]") {
    temp_dir dir;
    chat::server::config cfg;
    cfg.port = 0;
    cfg.data_dir = dir.path();
    cfg.token_secret = "loadgen-smoke-secret-loadgen-smoke";
    for (auto& t : cfg.policy.tiers) t.hours.always = true;
    cfg.hub.max_queue = 2; // nobody serves: the third opening is refused
    chat::server::system_clock clock;
    chat::server::chat_server server(cfg, clock);
    server.start();
    std::ofstream(dir.path() / "secret") << cfg.token_secret;

    auto [status, r] = run_loadgen(dir, "--target chatd --port " + std::to_string(server.port()) + " --secret-file " +
                                            (dir.path() / "secret").string() +
                                            " --customers 3 --experts 0 --messages 2 --duration 1 --drain 0.2 --timeout 30");
    CHECK(status != 0);
    CHECK(r["errors"]["queue_full"] == 1);
    CHECK(r["conversations"]["assigned"] == 0);
}
