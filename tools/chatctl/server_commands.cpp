#include "server_commands.hpp"

#include "chat/protocol/iso8601.hpp"
#include "chat/server/app/clock.hpp"
#include "chat/server/auth/token.hpp"
#include "chat/server/config.hpp"
#include "chat/server/store/store.hpp"
#include "chat/server/store/records_json.hpp"
#include "cli_args.hpp"
#include "redis_session.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <iostream>

namespace chat::tools {
namespace {

using namespace std::chrono_literals;

long long seconds_between(queue::instant a, queue::instant b) {
    return std::chrono::duration_cast<std::chrono::seconds>(b - a).count();
}

} // namespace

int token_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    try {
        cli_args a(args, {"config", "data-dir", "redis", "role", "sub", "tenant", "tier", "region", "name", "ttl", "skills"});
        auto cfg = configuration(a);
        server::identity who;
        auto r = protocol::parse_role(a.require("role"));
        if (!r) throw usage_error("--role must be customer, expert or monitor");
        who.role = *r;
        who.subject = a.require("sub");
        who.tenant = a.require("tenant");
        if (!protocol::valid_id(who.subject) || !protocol::valid_id(who.tenant))
            throw usage_error("--sub and --tenant must be 1-64 characters of A-Z a-z 0-9 . _ : @ -");
        auto t = queue::parse_tier(a.get("tier").value_or("standard"));
        if (!t) throw usage_error("--tier must be enterprise or standard");
        who.tier = *t;
        who.region = a.get("region").value_or("");
        who.name = a.get("name").value_or(who.subject);
        // An expert's skills, comma-separated: billing,api,de
        for (std::string rest = a.get("skills").value_or(""); !rest.empty();) {
            auto comma = rest.find(',');
            auto skill = rest.substr(0, comma);
            if (!protocol::valid_id(skill)) throw usage_error("--skills must be ids separated by commas");
            who.skills.push_back(skill);
            rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
        }
        auto ttl = a.number("ttl", 8 * 3600);
        if (ttl <= 0) throw usage_error("--ttl must be positive");
        server::system_clock clock;
        who.expires_at = clock.now() + std::chrono::seconds(static_cast<long long>(ttl));
        out << server::mint_token(who, server::token_secret(cfg)) << '\n';
        return 0;
    } catch (const usage_error& e) {
        err << "chatctl token: " << e.what() << '\n';
        return 2;
    } catch (const std::exception& e) {
        err << "chatctl token: " << e.what() << '\n';
        return 1;
    }
}

int audit_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    try {
        cli_args a(args, {"config", "data-dir", "redis", "tenant", "from", "to", "format"});
        auto tenant = a.get("tenant");
        if (!tenant || !protocol::valid_id(*tenant)) throw usage_error("--tenant ID is required");
        auto format = a.get("format").value_or("text");
        if (format != "json" && format != "text") throw usage_error("--format must be json or text");
        auto instant = [&](const char* name, queue::instant fallback) {
            auto v = a.get(name);
            if (!v) return fallback;
            auto t = protocol::parse_instant(*v);
            if (!t) throw usage_error(std::string("--") + name + " must be an ISO-8601 instant such as 2026-12-07T09:00:00Z");
            return *t;
        };
        auto to = instant("to", server::system_clock().now());
        auto from = instant("from", to - std::chrono::hours(24));
        auto cfg = configuration(a);
        redis_session redis(cfg);
        auto store = redis.store(redis.shards().shard_of(*tenant));
        std::vector<server::audit_entry> entries;
        bool more = true;
        auto after = from;
        // Page by page, 1,000 at a time, until `to`.
        while (more) {
            std::optional<std::error_code> failure;
            std::vector<server::audit_entry> page;
            store->audit(*tenant, after, to, 1000, [&](std::error_code ec, std::vector<server::audit_entry> found) {
                failure = ec;
                page = std::move(found);
            });
            redis.run_until([&] { return failure.has_value(); });
            if (*failure) throw std::runtime_error("Redis: " + failure->message());
            more = page.size() > 1000;
            if (more) page.pop_back();
            if (more) after = page.back().at + std::chrono::milliseconds(1);
            for (auto& e : page) entries.push_back(std::move(e));
        }
        if (format == "json") {
            nlohmann::json list = nlohmann::json::array();
            for (const auto& e : entries)
                list.push_back({{"at", protocol::format_instant(e.at)}, {"actor", e.actor}, {"role", e.role}, {"action", e.action},
                                {"conversation", e.conversation}, {"detail", e.detail}});
            out << list.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
            return 0;
        }
        for (const auto& e : entries)
            out << protocol::format_instant(e.at) << "  " << e.actor << " (" << e.role << ")  " << e.action
                << (e.conversation.empty() ? "" : "  " + e.conversation) << (e.detail.empty() ? "" : "  \"" + e.detail + "\"")
                << '\n';
        if (entries.empty()) out << "no entries from " << protocol::format_instant(from) << " to " << protocol::format_instant(to) << '\n';
        return 0;
    } catch (const usage_error& e) {
        err << "chatctl audit: " << e.what() << '\n';
        return 2;
    } catch (const std::exception& e) {
        err << "chatctl audit: " << e.what() << '\n';
        return 1;
    }
}

int queue_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    try {
        cli_args a(args, {"config", "data-dir", "redis", "tenant", "format"});
        auto cfg = configuration(a);
        auto format = a.get("format").value_or("text");
        redis_session redis(cfg);
        auto tenant = a.get("tenant");
        // Every shard's waiting line in one core (or the tenant's shard alone): the order is the core's own.
        queue::core_state all;
        const auto& shards = redis.shards();
        for (server::shard_id sh = 0; sh < shards.count(); ++sh) {
            if (tenant && sh != shards.shard_of(*tenant)) continue;
            auto store = redis.store(sh);
            std::optional<std::error_code> ec;
            server::loaded_state state;
            store->load([&](std::error_code e, server::loaded_state st) {
                ec = e;
                state = std::move(st);
            });
            redis.run_until([&] { return ec.has_value(); });
            if (!ec || *ec) throw std::runtime_error("cannot read the state from Redis");
            for (auto& c : state.core.conversations) all.conversations.push_back(std::move(c));
            for (auto& x : state.core.experts) all.experts.push_back(std::move(x));
        }
        queue::core core(cfg.policy);
        core.restore(std::move(all));
        server::system_clock clock;
        auto now = clock.now();
        nlohmann::json rows = nlohmann::json::array();
        int position = 0;
        for (const auto& id : core.queue_order(now)) {
            const auto* c = core.find(id);
            if (tenant && c->customer.tenant != *tenant) continue;
            rows.push_back({{"position", ++position},
                            {"conversation", id},
                            {"tenant", c->customer.tenant},
                            {"customer", c->customer.user},
                            {"name", c->customer_name},
                            {"tier", queue::to_string(c->customer.tier)},
                            {"severity", c->severity},
                            {"topic", c->topic},
                            {"waiting_s", seconds_between(c->first_queued_at, now)}});
        }
        if (format == "json") {
            out << rows.dump(2) << '\n';
            return 0;
        }
        if (rows.empty()) out << "nobody is waiting\n";
        for (const auto& r : rows)
            out << r["position"].get<int>() << ". " << r["conversation"].get<std::string>() << "  "
                << r["tier"].get<std::string>() << " sev" << r["severity"].get<int>() << "  "
                << r["tenant"].get<std::string>() << '/' << r["customer"].get<std::string>() << "  waiting "
                << r["waiting_s"].get<long long>() << " s  \"" << r["topic"].get<std::string>() << "\"\n";
        return 0;
    } catch (const usage_error& e) {
        err << "chatctl queue: " << e.what() << '\n';
        return 2;
    } catch (const std::exception& e) {
        err << "chatctl queue: " << e.what() << '\n';
        return 1;
    }
}

int conversation_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    try {
        if (args.size() < 2 || (args[0] != "show" && args[0] != "export"))
            throw usage_error("usage: chatctl conversation show|export ID [--tenant T] [--format json|text] [--data-dir DIR]");
        const auto& id = args[1];
        if (!protocol::valid_id(id)) throw usage_error("'" + id + "' is not a conversation id");
        cli_args a({args.begin() + 2, args.end()}, {"config", "data-dir", "redis", "format", "tenant"});
        auto format = a.get("format").value_or(args[0] == "show" ? "json" : "text");
        if (format != "json" && format != "text") throw usage_error("--format must be json or text");
        auto cfg = configuration(a);
        redis_session redis(cfg);
        bool done = false;
        std::error_code failure;
        std::optional<queue::conversation> conv;
        std::vector<server::stored_message> transcript;
        auto tenant = a.get("tenant");
        auto shard = tenant ? std::optional(redis.shards().shard_of(*tenant)) : redis.shard_of_conversation(id);
        if (!shard) {
            err << "chatctl conversation: no conversation " << id << '\n';
            return 1;
        }
        auto store = redis.store(*shard);
        store->conversation(id, [&](std::error_code ec, std::optional<queue::conversation> c) {
            if (ec || !c) {
                failure = ec;
                done = true;
                return;
            }
            conv = std::move(c);
            store->messages(id, 0, 1'000'000, [&](std::error_code ec2, std::vector<server::stored_message> m) {
                failure = ec2;
                transcript = std::move(m);
                done = true;
            });
        });
        redis.run_until([&] { return done; });
        if (failure) throw std::runtime_error("Redis: " + failure.message());
        if (!conv) {
            err << "chatctl conversation: no conversation " << id << '\n';
            return 1;
        }
        if (format == "json") {
            nlohmann::json messages = nlohmann::json::array();
            for (const auto& m : transcript) {
                messages.push_back({{"seq", m.seq},
                                    {"from", queue::to_string(m.from)},
                                    {"author", m.author},
                                    {"name", m.name},
                                    {"text", m.text},
                                    {"at", protocol::format_instant(m.at)}});
                if (const auto& file = m.attachment)
                    messages.back()["attachment"] = {{"id", file->id}, {"name", file->name}, {"size", file->size},
                                                     {"content_type", file->content_type}};
            }
            // The record's last seq may be behind its stream, which the transcript is.
            auto last_seq = transcript.empty() ? conv->messages.last_seq() : transcript.back().seq;
            nlohmann::json doc{{"conversation", server::to_stored(*conv)},
                               {"customer_name", conv->customer_name},
                               {"epoch", conv->epoch},
                               {"last_seq", last_seq},
                               {"transcript", messages}};
            if (conv->ticket) doc["ticket"] = *conv->ticket;
            out << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
            return 0;
        }
        const auto& c = *conv;
        out << "Conversation " << c.id << " (" << queue::to_string(c.state) << ")\n"
            << "Customer: " << c.customer_name << " <" << c.customer.tenant << '/' << c.customer.user
            << ">, " << queue::to_string(c.customer.tier) << "\nTopic: " << c.topic << "\nOpened: "
            << protocol::format_instant(c.opened_at) << "\n\n";
        for (const auto& m : transcript)
            out << '[' << protocol::format_instant(m.at) << "] " << m.name << " (" << queue::to_string(m.from)
                << "): " << (m.attachment ? "[file " + m.attachment->id + ", " + std::to_string(m.attachment->size) + " bytes] " : "")
                << m.text << '\n';
        return 0;
    } catch (const usage_error& e) {
        err << "chatctl conversation: " << e.what() << '\n';
        return 2;
    } catch (const std::exception& e) {
        err << "chatctl conversation: " << e.what() << '\n';
        return 1;
    }
}

} // namespace chat::tools
