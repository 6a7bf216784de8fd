#pragma once
// chat-soak run over a set of chatd nodes in the background while a test does its worst, then
// chat-check over every stream it wrote to.

#include "cluster_fixture.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>
#include <thread>
#include <utility>

namespace chat::test {

// A tool run to its end: exit status and what it printed.
inline std::pair<int, std::string> run(const std::string& shell_line) {
    auto* pipe = ::popen((shell_line + " 2>&1").c_str(), "r");
    REQUIRE(pipe);
    std::string output;
    char line[1024];
    while (std::fgets(line, sizeof line, pipe)) output += line;
    return {::pclose(pipe), output};
}

// chat-soak over `nodes` in the background while the test does its worst; then chat-check.
class soak {
public:
    soak(cluster_fixture& cluster, const std::vector<chatd_node*>& nodes, const std::string& args) : cluster_(cluster) {
        std::string targets;
        for (auto* n : nodes) targets += (targets.empty() ? "" : ",") + std::string("127.0.0.1:") + std::to_string(n->port());
        record_ = (cluster.data_dir() / "soak.jsonl").string();
        command_ = std::string(CHAT_SOAK_PATH) + " --targets " + targets + " --secret-file " + cluster.secret_file().string() +
                   " --record " + record_ + ' ' + args;
        thread_ = std::thread([this] { result_ = run(command_); });
    }
    ~soak() {
        if (thread_.joinable()) thread_.join();
    }
    // Waits for the run to end; its output, and every count chat-check reports (each must be 0).
    nlohmann::json finish() {
        thread_.join();
        INFO(result_.second);
        CHECK(result_.first == 0);
        std::printf("chat-soak: %s", result_.second.c_str());
        auto [status, out] = run(std::string(CHAT_CHECK_PATH) + " --redis " + cluster_.redis_url() + " --record " + record_);
        INFO(out);
        CHECK(status == 0);
        std::printf("chat-check: %s", out.c_str());
        return nlohmann::json::parse(out.substr(out.find('{')), nullptr, false);
    }

private:
    cluster_fixture& cluster_;
    std::string record_, command_;
    std::pair<int, std::string> result_;
    std::thread thread_;
};

inline void all_zero(const nlohmann::json& report) {
    REQUIRE(report.is_object());
    for (const char* key : {"acknowledged_missing", "stored_twice", "seq_gaps", "conflicting_acknowledgements",
                            "deliveries_missing", "deliveries_out_of_order"}) {
        INFO(key);
        CHECK(report.value(key, -1) == 0);
    }
    CHECK(report.value("messages_stored", 0) > 0);
}

} // namespace chat::test
