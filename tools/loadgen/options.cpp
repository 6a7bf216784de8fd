#include "options.hpp"

#include "../common/cli_args.hpp"

#include <cmath>
#include <fstream>

namespace chat::loadgen {

using tools::cli_args;
using tools::usage_error;

const char* const usage =
    "usage: chat-loadgen [--target chatd|echo|relay] [--host H] [--port P] [--secret-file F] [--tenant T]\n"
    "                    [--customers N] [--experts M] [--capacity K] [--enterprise-share S] [--connect-window W]\n"
    "                    [--open yes|no] [--open-rate R] [--messages K] [--message-bytes B]\n"
    "                    [--rate R | closed loop] [--think-ms T] [--close yes|no]\n"
    "                    [--duration S] [--hold S] [--timeout S] [--drain S] [--json FILE] [--progress yes|no]\n";

std::string_view name_of(target_kind k) {
    switch (k) {
    case target_kind::chatd: return "chatd";
    case target_kind::echo: return "echo";
    case target_kind::relay: return "relay";
    }
    return "?";
}

int options::capacity_per_expert() const {
    if (capacity > 0) return capacity;
    if (experts <= 0) return 0;
    return std::min(100, (customers + experts - 1) / experts);
}

namespace {

std::chrono::milliseconds seconds_of(const cli_args& cli, const std::string& name, std::chrono::milliseconds fallback) {
    double s = cli.number(name, static_cast<double>(fallback.count()) / 1000.0);
    if (!(s >= 0) || s > 86400) throw usage_error("--" + name + " must be from 0 to 86400 seconds");
    return std::chrono::milliseconds(static_cast<long long>(std::llround(s * 1000)));
}

int whole(const cli_args& cli, const std::string& name, int fallback, int lo, int hi) {
    double v = cli.number(name, fallback);
    if (v != std::floor(v) || v < lo || v > hi)
        throw usage_error("--" + name + " must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
    return static_cast<int>(v);
}

bool yes_no(const cli_args& cli, const std::string& name, bool fallback) {
    auto v = cli.get(name);
    if (!v) return fallback;
    if (*v == "yes") return true;
    if (*v == "no") return false;
    throw usage_error("--" + name + " must be yes or no");
}

} // namespace

options parse_options(const std::vector<std::string>& args) {
    cli_args cli(args, {"target", "host", "port", "secret-file", "tenant", "customers", "experts", "capacity",
                        "enterprise-share", "connect-window", "open", "open-rate", "messages", "message-bytes", "rate",
                        "think-ms", "close", "duration", "hold", "timeout", "drain", "json", "progress"});
    options o;
    auto target = cli.get("target").value_or("chatd");
    if (target == "chatd") o.target = target_kind::chatd;
    else if (target == "echo") o.target = target_kind::echo;
    else if (target == "relay") o.target = target_kind::relay;
    else throw usage_error("--target must be chatd, echo or relay");
    o.host = cli.get("host").value_or(o.host);
    o.port = static_cast<unsigned short>(whole(cli, "port", o.port, 1, 65535));
    o.tenant = cli.get("tenant").value_or(o.tenant);
    if (auto file = cli.get("secret-file")) {
        std::ifstream in(*file);
        if (!in || !std::getline(in, o.secret) || o.secret.empty()) throw usage_error("cannot read a secret from " + *file);
    } else if (o.target == target_kind::chatd) {
        throw usage_error("--secret-file is required for --target chatd (chatd's token secret)");
    }
    o.customers = whole(cli, "customers", o.customers, 0, 100000);
    o.experts = whole(cli, "experts", o.experts, 0, 10000);
    o.capacity = whole(cli, "capacity", o.capacity, 0, 100);
    o.enterprise_share = cli.number("enterprise-share", o.enterprise_share);
    if (!(o.enterprise_share >= 0 && o.enterprise_share <= 1)) throw usage_error("--enterprise-share must be from 0 to 1");
    o.connect_window = whole(cli, "connect-window", o.connect_window, 1, 10000);
    o.open = yes_no(cli, "open", o.open);
    o.open_rate = cli.number("open-rate", o.open_rate);
    if (!(o.open_rate >= 0)) throw usage_error("--open-rate must not be negative");
    o.messages = whole(cli, "messages", o.messages, 0, 10000000);
    o.message_bytes = whole(cli, "message-bytes", o.message_bytes, 48, 4000);
    o.rate = cli.number("rate", o.rate);
    if (!(o.rate >= 0)) throw usage_error("--rate must not be negative");
    o.think = std::chrono::milliseconds(whole(cli, "think-ms", 0, 0, 600000));
    o.close = yes_no(cli, "close", o.close);
    o.duration = seconds_of(cli, "duration", o.duration);
    o.hold = seconds_of(cli, "hold", o.hold);
    o.timeout = seconds_of(cli, "timeout", o.timeout);
    o.drain = seconds_of(cli, "drain", o.drain);
    o.json_path = cli.get("json").value_or("");
    o.progress = yes_no(cli, "progress", o.progress);
    return o;
}

} // namespace chat::loadgen
