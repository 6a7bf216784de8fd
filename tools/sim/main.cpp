// chat-sim: staffing what-ifs on the conversation core, on a virtual clock.

#include "simulation.hpp"

#include "../common/cli_args.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <ctime>
#include <iostream>

namespace {

using chat::tools::cli_args;
using chat::tools::usage_error;

constexpr const char* usage =
    "usage: chat-sim --experts C --capacity K --hours H --seed S\n"
    "                --arrivals-per-hour enterprise=X,standard=Y --handle-minutes M\n"
    "                --handle-dist exp|fixed|lognormal [--patience-minutes P] [--format json|table]\n";

void parse_arrivals(const std::string& text, chat::sim::scenario& s) {
    std::size_t pos = 0;
    while (pos <= text.size()) {
        auto comma = text.find(',', pos);
        auto item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        auto eq = item.find('=');
        if (eq == std::string::npos) throw usage_error("--arrivals-per-hour: expected tier=rate, got '" + item + "'");
        auto tier = item.substr(0, eq);
        double rate = cli_args::parse_number("arrivals-per-hour", item.substr(eq + 1));
        if (rate < 0) throw usage_error("--arrivals-per-hour: a rate cannot be negative");
        if (tier == "enterprise") s.arrivals_per_hour[0] = rate;
        else if (tier == "standard") s.arrivals_per_hour[1] = rate;
        else throw usage_error("--arrivals-per-hour: unknown tier '" + tier + "'");
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
}

chat::sim::scenario parse(const cli_args& cli) {
    chat::sim::scenario s;
    auto whole = [&](const std::string& name, double fallback, double lo, double hi) {
        double v = cli.number(name, fallback);
        if (v != static_cast<long long>(v) || v < lo || v > hi)
            throw usage_error("--" + name + " must be a whole number from " + std::to_string(static_cast<long long>(lo)) +
                              " to " + std::to_string(static_cast<long long>(hi)));
        return v;
    };
    s.experts = static_cast<int>(whole("experts", 10, 0, 100000));
    s.capacity = static_cast<int>(whole("capacity", 3, 1, 100));
    s.seed = static_cast<std::uint64_t>(whole("seed", 1, 0, 1e15));
    s.hours = cli.number("hours", 8);
    if (!(s.hours > 0 && s.hours <= 24 * 366)) throw usage_error("--hours must be above 0 and at most a year");
    s.handle_minutes = cli.number("handle-minutes", 10);
    if (!(s.handle_minutes > 0)) throw usage_error("--handle-minutes must be above 0");
    parse_arrivals(cli.get("arrivals-per-hour").value_or("enterprise=10,standard=30"), s);
    auto dist = cli.get("handle-dist").value_or("exp");
    if (dist == "exp") s.handle = chat::sim::handle_distribution::exponential;
    else if (dist == "fixed") s.handle = chat::sim::handle_distribution::fixed;
    else if (dist == "lognormal") s.handle = chat::sim::handle_distribution::lognormal;
    else throw usage_error("--handle-dist must be exp, fixed or lognormal");
    if (auto p = cli.get("patience-minutes")) {
        s.patience_minutes = cli_args::parse_number("patience-minutes", *p);
        if (*s.patience_minutes < 0) throw usage_error("--patience-minutes cannot be negative");
    }
    return s;
}

nlohmann::json to_json(const chat::sim::report& r) {
    nlohmann::json tiers;
    const char* names[] = {"enterprise", "standard"};
    for (int t = 0; t < 2; ++t) {
        const auto& x = r.tiers[t];
        tiers[names[t]] = {{"conversations", x.conversations}, {"assigned", x.assigned},
                           {"wait_mean_s", x.wait_mean_s},     {"wait_p50_s", x.wait_p50_s},
                           {"wait_p90_s", x.wait_p90_s},       {"wait_p99_s", x.wait_p99_s},
                           {"wait_max_s", x.wait_max_s},       {"abandoned", x.abandoned},
                           {"sla_breaches", x.sla_breaches}};
    }
    return {{"tiers", tiers}, {"utilization", r.utilization}};
}

void print_table(const chat::sim::report& r) {
    std::printf("%-11s %13s %9s %9s %9s %9s %9s %9s %9s\n", "tier", "conversations", "assigned",
                "abandoned", "mean s", "p50 s", "p90 s", "p99 s", "breaches");
    const char* names[] = {"enterprise", "standard"};
    for (int t = 0; t < 2; ++t) {
        const auto& x = r.tiers[t];
        std::printf("%-11s %13llu %9llu %9llu %9.1f %9.1f %9.1f %9.1f %9llu\n", names[t],
                    static_cast<unsigned long long>(x.conversations),
                    static_cast<unsigned long long>(x.assigned),
                    static_cast<unsigned long long>(x.abandoned), x.wait_mean_s, x.wait_p50_s,
                    x.wait_p90_s, x.wait_p99_s, static_cast<unsigned long long>(x.sla_breaches));
    }
    std::printf("utilization %.3f\n", r.utilization);
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
        std::cout << usage;
        return 0;
    }
    try {
        cli_args cli(args, {"experts", "capacity", "hours", "seed", "arrivals-per-hour", "handle-minutes",
                            "handle-dist", "patience-minutes", "format"});
        auto format = cli.get("format").value_or("table");
        if (format != "json" && format != "table") throw usage_error("--format must be json or table");
        auto scenario = parse(cli);
        auto cpu_began = std::clock();
        auto report = chat::sim::simulate(scenario);
        // The core's own speed: conversations routed per minute of this process's CPU time.
        double cpu_s = static_cast<double>(std::clock() - cpu_began) / CLOCKS_PER_SEC;
        std::uint64_t routed = report.tiers[0].assigned + report.tiers[1].assigned;
        double per_minute = cpu_s > 0 ? static_cast<double>(routed) / cpu_s * 60 : 0;
        if (format == "json") {
            auto j = to_json(report);
            j["speed"] = {{"routed", routed}, {"events", report.events}, {"cpu_seconds", cpu_s}, {"routed_per_minute", per_minute}};
            std::cout << j.dump() << '\n';
        } else {
            print_table(report);
            std::printf("speed       %llu conversations routed (%llu events) in %.2f s of CPU: %.0f per minute\n",
                        static_cast<unsigned long long>(routed), static_cast<unsigned long long>(report.events), cpu_s,
                        per_minute);
        }
        return 0;
    } catch (const usage_error& e) {
        std::cerr << "chat-sim: " << e.what() << '\n' << usage;
        return 2;
    }
}
