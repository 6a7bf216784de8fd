#include "chat/server/console_driver.hpp"

#include "chat/protocol/effect_json.hpp"
#include "chat/protocol/iso8601.hpp"

namespace chat::server {
namespace {

using nlohmann::json;

queue::customer customer_of(const json& j) {
    auto tier = queue::parse_tier(j.value("tier", "standard"));
    if (!tier) throw std::invalid_argument("tier must be enterprise or standard");
    return {j.at("tenant").get<std::string>(), j.at("user").get<std::string>(), *tier,
            j.value("region", std::string{})};
}

queue::instant instant_of(const json& j, const char* field) {
    auto t = protocol::parse_instant(j.at(field).get<std::string>());
    if (!t) throw std::invalid_argument(std::string(field) + " is not an ISO-8601 instant");
    return *t;
}

} // namespace

console_driver::console_driver(queue::policy rules) : core_(std::move(rules)) {
    auto& c = core_;
    auto conv = [](const json& j) { return j.at("conversation").get<std::string>(); };
    auto who = [](const json& j) { return j.at("expert").get<std::string>(); };
    table_ = {
        {"register_expert", [&c](const json& j, queue::instant now) {
             queue::expert_profile p{j.at("expert"), j.at("tenant"), j.value("name", std::string{}),
                                     std::nullopt, j.value("skills", std::set<std::string>{}),
                                     j.value("auto_accept", false)};
             if (j.contains("capacity")) p.capacity = j.at("capacity").get<int>();
             return c.register_expert(p, now);
         }},
        {"presence", [&c, who](const json& j, queue::instant now) {
             auto p = queue::parse_presence(j.at("presence").get<std::string>());
             if (!p) throw std::invalid_argument("presence must be available, away or offline");
             return c.set_presence(who(j), *p, now);
         }},
        {"open", [&c](const json& j, queue::instant now) {
             queue::opening o{j.at("conversation"), customer_of(j), j.value("topic", std::string{}),
                              j.at("message"), j.value("severity", queue::default_severity),
                              j.value("skills", std::set<std::string>{}), std::nullopt};
             return c.open(o, now);
         }},
        {"customer_message", [&c, conv](const json& j, queue::instant now) {
             return c.customer_message(conv(j), customer_of(j), j.at("text").get<std::string>(), now);
         }},
        {"customer_hold", [&c, conv](const json& j, queue::instant now) { return c.customer_hold(conv(j), customer_of(j), now); }},
        {"customer_resume", [&c, conv](const json& j, queue::instant now) { return c.customer_resume(conv(j), customer_of(j), now); }},
        {"request_stay", [&c, conv](const json& j, queue::instant now) { return c.request_stay(conv(j), customer_of(j), now); }},
        {"accept_stay", [&c, conv](const json& j, queue::instant now) {
             return c.accept_stay(conv(j), customer_of(j), instant_of(j, "at"), now);
         }},
        {"customer_close", [&c, conv](const json& j, queue::instant now) { return c.customer_close(conv(j), customer_of(j), now); }},
        {"survey", [&c, conv](const json& j, queue::instant now) {
             return c.submit_survey(conv(j), customer_of(j), j.at("rating").get<int>(), j.value("comment", std::string{}), now);
         }},
        {"accept", [&c, conv, who](const json& j, queue::instant now) { return c.accept_offer(who(j), conv(j), now); }},
        {"decline", [&c, conv, who](const json& j, queue::instant now) { return c.decline_offer(who(j), conv(j), now); }},
        {"expert_message", [&c, conv, who](const json& j, queue::instant now) { return c.expert_message(who(j), conv(j), now); }},
        {"hand_off", [&c, conv, who](const json& j, queue::instant now) {
             return c.hand_off(who(j), conv(j), j.value("note", std::string{}), now);
         }},
        {"propose_stay", [&c, conv, who](const json& j, queue::instant now) {
             return c.propose_stay(who(j), conv(j), instant_of(j, "at"), now);
         }},
        {"expert_hold", [&c, conv, who](const json& j, queue::instant now) { return c.expert_hold(who(j), conv(j), now); }},
        {"expert_resume", [&c, conv, who](const json& j, queue::instant now) { return c.expert_resume(who(j), conv(j), now); }},
        {"mark_duplicate", [&c, conv, who](const json& j, queue::instant now) {
             return c.mark_duplicate(who(j), conv(j), j.at("of").get<std::string>(), now);
         }},
        {"escalate", [&c, conv, who](const json& j, queue::instant now) {
             return c.escalate(who(j), conv(j), j.value("summary", std::string{}), now);
         }},
        {"report_conduct", [&c, conv, who](const json& j, queue::instant now) { return c.report_conduct(who(j), conv(j), now); }},
        {"expert_close", [&c, conv, who](const json& j, queue::instant now) { return c.expert_close(who(j), conv(j), now); }},
    };
}

std::vector<std::string> console_driver::commands() const {
    std::vector<std::string> names;
    for (const auto& [name, h] : table_) names.push_back(name);
    names.push_back("queue");
    return names;
}

json console_driver::run(const json& command, queue::instant now) {
    try {
        auto op = command.at("op").get<std::string>();
        if (op == "queue") return {{"queue", core_.queue_order(now)}};
        auto it = table_.find(op);
        if (it == table_.end()) return {{"error", "unknown_op"}, {"message", "no command '" + op + "'"}};
        return protocol::outcome_to_json(it->second(command, now));
    } catch (const json::exception& e) {
        return {{"error", "bad_command"}, {"message", e.what()}};
    } catch (const std::invalid_argument& e) {
        return {{"error", "bad_command"}, {"message", e.what()}};
    }
}

json console_driver::tick(queue::instant now) {
    auto out = core_.advance(now);
    if (out.effects.empty()) return nullptr;
    return protocol::outcome_to_json(out);
}

} // namespace chat::server
