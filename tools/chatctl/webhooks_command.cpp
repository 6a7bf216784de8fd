#include "webhooks_command.hpp"

#include "chat/protocol/fields.hpp"
#include "chat/protocol/iso8601.hpp"
#include "redis_session.hpp"

#include <nlohmann/json.hpp>

#include <iostream>

namespace chat::tools {
namespace {

constexpr const char* usage =
    "usage: chatctl webhooks status|dead|replay [--tenant ID] [--config FILE] [--data-dir DIR | --redis URL]\n"
    "         dead [--limit N] [--format text|json]   replay ID --tenant ID | replay --all";

// The shards to look in: the tenant's, or all.
std::vector<server::shard_id> shards_of(redis_session& redis, const std::optional<std::string>& tenant) {
    if (tenant) return {redis.shards().shard_of(*tenant)};
    std::vector<server::shard_id> all;
    for (server::shard_id s = 0; s < redis.shards().count(); ++s) all.push_back(s);
    return all;
}

// Runs one store call to completion; a Redis error is thrown.
template <class T, class Call> T wait_for(redis_session& redis, Call&& call) {
    std::optional<std::error_code> failure;
    T value{};
    call([&](std::error_code ec, T v) {
        failure = ec;
        value = std::move(v);
    });
    redis.run_until([&] { return failure.has_value(); });
    if (!failure) throw std::runtime_error("Redis did not answer in time");
    if (*failure) throw std::runtime_error("Redis: " + failure->message());
    return value;
}

std::vector<server::webhook_dead_letter> dead_letters(redis_session& redis, server::shard_id s, const std::optional<std::string>& tenant) {
    auto store = redis.store(s);
    auto found = wait_for<std::vector<server::webhook_dead_letter>>(
        redis, [&](auto done) { store->webhook_dead_letters(10000, std::move(done)); });
    if (tenant) std::erase_if(found, [&](const auto& d) { return d.event.tenant != *tenant; });
    return found;
}

} // namespace

int webhooks_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    try {
        if (args.empty() || (args[0] != "status" && args[0] != "dead" && args[0] != "replay")) throw usage_error(usage);
        std::optional<std::string> id;
        std::size_t first_option = 1;
        if (args[0] == "replay" && args.size() > 1 && args[1].rfind("--", 0) != 0) {
            id = args[1];
            first_option = 2;
        }
        std::vector<std::string> options(args.begin() + static_cast<std::ptrdiff_t>(first_option), args.end());
        bool all = false;
        if (auto it = std::find(options.begin(), options.end(), "--all"); it != options.end()) {
            all = true;
            options.erase(it);
        }
        cli_args a(options, {"config", "data-dir", "redis", "tenant", "limit", "format"});
        auto tenant = a.get("tenant");
        if (tenant && !protocol::valid_id(*tenant)) throw usage_error("--tenant must be a tenant id");
        auto cfg = configuration(a);
        redis_session redis(cfg);

        if (args[0] == "status") {
            std::vector<std::string> names;
            for (const auto& e : cfg.webhooks.endpoints) names.push_back(e.name);
            std::vector<std::size_t> retrying(names.size(), 0), dead(names.size(), 0);
            std::size_t unconfigured = 0;
            for (auto s : shards_of(redis, tenant)) {
                auto store = redis.store(s);
                auto counts = wait_for<std::vector<std::size_t>>(redis, [&](auto done) { store->webhook_retry_counts(names, std::move(done)); });
                for (std::size_t i = 0; i < counts.size(); ++i) retrying[i] += counts[i];
                for (const auto& d : dead_letters(redis, s, tenant)) {
                    auto at = std::find(names.begin(), names.end(), d.endpoint);
                    if (at == names.end()) ++unconfigured;
                    else ++dead[static_cast<std::size_t>(at - names.begin())];
                }
            }
            if (names.empty()) out << "no [[webhooks]] in the configuration (pass --config FILE)\n";
            for (std::size_t i = 0; i < names.size(); ++i)
                out << names[i] << "  " << cfg.webhooks.endpoints[i].url << "  retrying " << retrying[i] << "  dead letters " << dead[i] << '\n';
            if (unconfigured) out << "dead letters of endpoints no longer configured: " << unconfigured << '\n';
            return 0;
        }

        if (args[0] == "dead") {
            auto format = a.get("format").value_or("text");
            if (format != "json" && format != "text") throw usage_error("--format must be json or text");
            auto limit = static_cast<std::size_t>(a.number("limit", 100));
            std::vector<server::webhook_dead_letter> list;
            for (auto s : shards_of(redis, tenant))
                for (auto& d : dead_letters(redis, s, tenant)) list.push_back(std::move(d));
            std::sort(list.begin(), list.end(), [](const auto& x, const auto& y) { return x.at > y.at; });
            if (list.size() > limit) list.resize(limit);
            if (format == "json") {
                auto j = nlohmann::json::array();
                for (const auto& d : list)
                    j.push_back({{"id", d.id}, {"tenant", d.event.tenant}, {"endpoint", d.endpoint}, {"event", d.event.event},
                                 {"type", d.event.type}, {"tries", d.tries}, {"error", d.error},
                                 {"given_up_at", protocol::format_instant(d.at)}});
                out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
                return 0;
            }
            for (const auto& d : list)
                out << d.id << "  " << d.event.tenant << "  " << d.endpoint << "  " << d.event.type << "  " << d.event.event << "  "
                    << d.tries << " tries  " << protocol::format_instant(d.at) << "  " << d.error << '\n';
            if (list.empty()) out << "no dead letters\n";
            return 0;
        }

        // replay
        if (!id && !all) throw usage_error("replay needs a dead letter's ID (with --tenant) or --all");
        if (id && !tenant) throw usage_error("replay ID needs --tenant: a dead letter's id is its tenant's shard's");
        std::vector<std::pair<server::shard_id, std::string>> chosen;
        if (id) chosen.emplace_back(redis.shards().shard_of(*tenant), *id);
        else
            for (auto s : shards_of(redis, tenant))
                for (const auto& d : dead_letters(redis, s, tenant)) chosen.emplace_back(s, d.id);
        std::size_t replayed = 0;
        for (const auto& [s, entry] : chosen) {
            auto store = redis.store(s);
            // In the tenant's audit log as the operator's (role "operator", actor "chatctl").
            auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
            server::audit_entry by{"", "chatctl", "operator", "replay_webhook", "", entry, now,
                                   "chatctl-" + entry + "-" + std::to_string(now.time_since_epoch().count())};
            if (wait_for<bool>(redis, [&](auto done) { store->replay_dead_letter(entry, tenant.value_or(""), by, std::move(done)); })) ++replayed;
            else if (id) {
                err << "chatctl webhooks: no dead letter " << entry << " of " << *tenant << '\n';
                return 1;
            }
        }
        out << "replayed " << replayed << " (delivered by the shard's owner within a few seconds)\n";
        return 0;
    } catch (const usage_error& e) {
        err << "chatctl webhooks: " << e.what() << '\n';
        return 2;
    } catch (const std::exception& e) {
        err << "chatctl webhooks: " << e.what() << '\n';
        return 1;
    }
}

} // namespace chat::tools
