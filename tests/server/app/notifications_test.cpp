// What the core's decisions mean for whom, without a server.

#include "chat/server/app/notifications.hpp"

#include <catch2/catch.hpp>

using namespace chat;
using namespace chat::server;
using namespace std::chrono_literals;

namespace {

queue::instant monday_10am() { return std::chrono::sys_days{std::chrono::year{2026} / 1 / 5} + 10h; }

struct desk {
    queue::core core;
    queue::instant now = monday_10am();
    queue::customer u1{"acme", "u1", queue::tier::standard, ""};
    desk() {
        core.register_expert({"acme/ada", "acme", "Ada", 3, {}, false}, now);
        core.set_presence("acme/ada", queue::presence::available, now);
        queue::opening o{"c1", u1, "invoices", "my invoices will not export", 3, {}, std::nullopt, "", "", ""};
        o.customer_name = "Uma";
        o.epoch = "e1";
        core.open(o, now);
    }
    std::vector<outgoing> tell(const queue::outcome& out) {
        std::vector<outgoing> frames;
        for (const auto& e : out.effects) notifications::tell(core, e, frames);
        return frames;
    }
};

std::vector<std::string> texts_for(const std::vector<outgoing>& out, outgoing::to kind) {
    std::vector<std::string> texts;
    for (const auto& o : out)
        if (o.kind == kind) texts.push_back(*o.f);
    return texts;
}

} // namespace

TEST_CASE("a hand-off's note reaches the expert who wrote it, never the customer", "[server][app][notifications]") {
    desk d;
    REQUIRE(d.core.accept_offer("acme/ada", "c1", d.now));
    auto out = d.core.hand_off("acme/ada", "c1", {.note = "tried the CSV export; promised a call"}, d.now);
    auto frames = d.tell(out);
    for (const auto& text : texts_for(frames, outgoing::to::customer)) CHECK(text.find("promised a call") == std::string::npos);
    auto staff = texts_for(frames, outgoing::to::expert);
    CHECK(std::any_of(staff.begin(), staff.end(), [](const std::string& t) { return t.find("promised a call") != std::string::npos; }));
}

TEST_CASE("a customer's snapshot leaves out what staff keep for each other", "[server][app][notifications]") {
    desk d;
    d.core.accept_offer("acme/ada", "c1", d.now);
    d.core.hand_off("acme/ada", "c1", {.note = "a note for the next expert"}, d.now);
    const auto& c = *d.core.find("c1");
    auto customer = protocol::to_json_message(notifications::snapshot(d.core, c, notifications::viewer::customer));
    auto staff = protocol::to_json_message(notifications::snapshot(d.core, c, notifications::viewer::staff));
    CHECK_FALSE(customer.contains("hand_offs"));
    CHECK_FALSE(customer.contains("required_skills"));
    REQUIRE(staff.contains("hand_offs"));
    CHECK(staff["hand_offs"][0]["note"] == "a note for the next expert");
    CHECK(customer["customer_name"] == "Uma");
    CHECK(customer["epoch"] == "e1");
}

TEST_CASE("an offer goes to the expert, with the customer's name and the conversation's topic", "[server][app][notifications]") {
    desk d;
    queue::opening o{"c2", {"acme", "u2", queue::tier::enterprise, ""}, "sso", "okta login loops", 2, {}, std::nullopt, "", "", ""};
    o.customer_name = "Ola";
    auto frames = d.tell(d.core.open(o, d.now));
    auto offers = texts_for(frames, outgoing::to::expert);
    REQUIRE(offers.size() == 1);
    auto offer = nlohmann::json::parse(offers[0]);
    CHECK(offer["type"] == "offered");
    CHECK(offer["customer_name"] == "Ola");
    CHECK(offer["topic"] == "sso");
    CHECK(frames.front().key == "acme/ada");
}

TEST_CASE("what an outcome asks to store is named by id", "[server][app][notifications]") {
    desk d;
    auto out = d.core.accept_offer("acme/ada", "c1", d.now);
    pending_write w;
    notifications::writes_for(out, w);
    CHECK(w.conversations.count("c1"));
    CHECK(w.experts.count("acme/ada"));
    CHECK(w.timers.count({queue::timer_kind::offer_timeout, "c1"})); // cleared: written as removed
    auto closed = d.core.expert_close("acme/ada", "c1", d.now);
    pending_write w2;
    notifications::writes_for(closed, w2);
    CHECK(w2.average_handle);
}

TEST_CASE("a chat message's inactivity timer is stored with its conversation's record, never alone",
          "[server][app][notifications]") {
    desk d;
    d.core.accept_offer("acme/ada", "c1", d.now);
    const std::pair<queue::timer_kind, std::string> inactivity{queue::timer_kind::inactivity, "c1"};
    auto first = d.core.expert_message("acme/ada", "c1", "a1", d.now); // the first response changes the record
    pending_write w;
    notifications::writes_for(first, w);
    REQUIRE(w.conversations.count("c1"));
    CHECK(w.timers.count(inactivity));
    auto answer = d.core.customer_message("c1", d.u1, "thanks", "m2", d.now); // moves only the timer
    REQUIRE(answer.first<queue::effect::timer_cleared>());
    pending_write w2;
    notifications::writes_for(answer, w2);
    CHECK(w2.conversations.empty());
    CHECK(w2.timers.empty());
}
