// The queue monitor's view, kept from the core's outcomes.

#include "chat/server/app/monitor_feed.hpp"

#include "chat/protocol/codec.hpp"

#include <catch2/catch.hpp>

using namespace chat;
using namespace chat::server;
using namespace std::chrono_literals;

namespace {

queue::instant monday_10am() { return std::chrono::sys_days{std::chrono::year{2026} / 1 / 5} + 10h; }

queue::opening opening(const std::string& id, const std::string& tenant, queue::tier t) {
    return {id, {tenant, "u-" + id, t, ""}, "topic " + id, "question about " + id, 3, {}, std::nullopt, "", "", ""};
}

} // namespace

TEST_CASE("the monitor's snapshot shows the tenant's line in routing order and nobody else's", "[server][app][monitor]") {
    queue::core core;
    monitor_feed feed;
    auto now = monday_10am();
    feed.collect(core.open(opening("s1", "acme", queue::tier::standard), now), core, now);
    feed.collect(core.open(opening("e1", "acme", queue::tier::enterprise), now + 1s), core, now + 1s);
    feed.collect(core.open(opening("x1", "globex", queue::tier::enterprise), now + 2s), core, now + 2s);
    auto s = feed.snapshot("acme", core, now + 3s);
    REQUIRE(s.queue.size() == 2);
    CHECK(s.queue[0].conversation == "e1"); // Enterprise first
    CHECK(s.queue[1].conversation == "s1");
    CHECK(s.queue[1].waiting_s == 3);
    CHECK(s.tiers.enterprise.depth == 1);
    CHECK(s.tiers.standard.longest_wait_s == 3);
    CHECK(s.stats.back().arrivals.enterprise == 1);
    CHECK(s.stats.back().arrivals.standard == 1);
    auto j = protocol::to_json_message(s);
    CHECK(j["stats"].back()["utilization"].is_null()); // nothing measured yet: null, not absent
}

TEST_CASE("a delta names what changed and the whole order, only for watched tenants", "[server][app][monitor]") {
    queue::core core;
    monitor_feed feed;
    auto now = monday_10am();
    auto out = core.open(opening("s1", "acme", queue::tier::standard), now);
    auto changed = feed.collect(out, core, now);
    auto deltas = feed.deltas(out, changed, core, now, [](const std::string& t) { return t == "acme"; });
    REQUIRE(deltas.size() == 1);
    CHECK(deltas[0].first == "acme");
    REQUIRE(deltas[0].second.upsert.size() == 1);
    CHECK(deltas[0].second.order == std::vector<std::string>{"s1"});
    CHECK(feed.deltas(out, changed, core, now, [](const std::string&) { return false; }).empty());
}
