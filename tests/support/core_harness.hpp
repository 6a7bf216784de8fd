#pragma once
// A core on a manual clock, with short-hands that make tests read as stories.

#include "chat/queue/core.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace chat::test {

using namespace std::chrono_literals;
using namespace chat::queue;

// Monday 2026-01-05 10:00 UTC: a business day, within Standard hours in the default calendar.
inline instant monday_10am() { return std::chrono::sys_days{std::chrono::year{2026} / 1 / 5} + 10h; }

struct harness {
    queue::core core;
    instant now = monday_10am();

    explicit harness(queue::policy p = {}) : core(std::move(p)) {}

    static customer enterprise(const std::string& user, const std::string& region = "") {
        return {"acme", user, tier::enterprise, region};
    }
    static customer standard(const std::string& user, const std::string& region = "") {
        return {"acme", user, tier::standard, region};
    }

    outcome expert(const std::string& id, int capacity = 3, std::set<std::string> skills = {},
                   bool auto_accept = false) {
        auto out = core.register_expert({id, "acme", id, capacity, std::move(skills), auto_accept}, now);
        REQUIRE(out);
        return core.set_presence(id, presence::available, now);
    }
    outcome open(const std::string& id, const customer& who, const std::string& message = "",
                 severity sev = default_severity, std::set<std::string> skills = {}) {
        auto text = message.empty() ? "question number " + id + " about feature " + id : message;
        return core.open({id, who, "", text, sev, std::move(skills), std::nullopt, "", "", ""}, now);
    }
    // Moves the clock on and fires what fell due.
    outcome wait(duration d) {
        now += d;
        return core.advance(now);
    }
    // Opens, offers and accepts: an active conversation with `e`.
    void chat_with(const std::string& id, const customer& who, const std::string& e) {
        open(id, who);
        REQUIRE(state(id) == conversation_state::offered);
        REQUIRE(expert_of(id) == e);
        REQUIRE(core.accept_offer(e, id, now));
    }

    // The expert writes, the customer never answers: the conversation is saved.
    outcome fall_silent(const std::string& id) {
        REQUIRE(core.expert_message(expert_of(id), id, "", now));
        auto out = wait(core.policy().inactivity_active);
        REQUIRE(state(id) == conversation_state::saved);
        return out;
    }

    conversation_state state(const std::string& id) const { return core.find(id)->state; }
    std::string expert_of(const std::string& id) const {
        auto* c = core.find(id);
        return c && c->expert ? *c->expert : std::string{};
    }
    const queue::expert& of(const std::string& e) const { return *core.find_expert(e); }
    void consistent() const {
        auto broken = core.audit(now);
        INFO((broken.empty() ? std::string{} : broken.front()));
        CHECK(broken.empty());
    }
};

inline bool refused_with(const outcome& o, errc e) { return o.error == make_error_code(e); }

} // namespace chat::test
