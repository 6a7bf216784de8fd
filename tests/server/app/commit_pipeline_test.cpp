// The group commit, step by step, without Redis.

#include "chat/server/app/commit_pipeline.hpp"

#include <catch2/catch.hpp>

using namespace chat::server;

namespace {

// A step that changes conversation `name` and answers request `name` (unless `answers` is false).
step changing(const std::string& name, bool answers = true) {
    step s;
    s.writes.conversations.insert(name);
    s.out.push_back({outgoing::to::customer, "acme/u1", {}, std::make_shared<const std::string>("event " + name), {}});
    if (answers) {
        s.out.push_back({outgoing::to::session, {}, {}, std::make_shared<const std::string>("ok " + name), {}});
        s.out.back().answers = name;
    }
    return s;
}

// A step with nothing to store: a refusal.
step refusal(const std::string& name) {
    step s;
    s.out.push_back({outgoing::to::session, {}, {}, std::make_shared<const std::string>("error " + name), {}});
    return s;
}

std::vector<std::string> told(const commit_pipeline::action& a) {
    std::vector<std::string> frames;
    for (const auto& s : a.deliver)
        for (const auto& o : s.out) frames.push_back(*o.f);
    return frames;
}

std::vector<std::string> written(const commit_pipeline::action& a) {
    REQUIRE(a.write);
    return {a.write->conversations.begin(), a.write->conversations.end()};
}

std::vector<std::string> unconfirmed(const commit_pipeline::action& a) {
    std::vector<std::string> ids;
    for (const auto& u : a.unconfirmed) ids.push_back(u.id.value_or(""));
    return ids;
}

const std::error_code lost = std::make_error_code(std::errc::timed_out);

} // namespace

TEST_CASE("a step is written at once when nothing is in flight, and told once stored", "[server][app][commit]") {
    commit_pipeline p;
    auto a = p.submit(changing("a"), true);
    CHECK(written(a) == std::vector<std::string>{"a"});
    CHECK(a.deliver.empty());
    CHECK_FALSE(p.idle());
    auto done = p.on_committed({}, true);
    CHECK(told(done) == std::vector<std::string>{"event a", "ok a"});
    CHECK_FALSE(done.write);
    CHECK(p.idle());
}

TEST_CASE("steps that arrive while a write is in flight go together in the next write", "[server][app][commit]") {
    commit_pipeline p;
    p.submit(changing("a"), true);
    // Setup: a write in flight. Simulate two requests arriving meanwhile.
    CHECK_FALSE(p.submit(changing("b"), true).write);
    CHECK_FALSE(p.submit(changing("c"), true).write);
    auto first = p.on_committed({}, true);
    CHECK(told(first) == std::vector<std::string>{"event a", "ok a"});
    CHECK(written(first) == std::vector<std::string>{"b", "c"});
    auto second = p.on_committed({}, true);
    CHECK(told(second) == std::vector<std::string>{"event b", "ok b", "event c", "ok c"});
    CHECK(p.idle());
}

TEST_CASE("after a lost reply nothing is told until the rewrite is stored, then everything in order",
          "[server][app][commit]") {
    commit_pipeline p;
    p.submit(changing("a"), true);
    p.submit(changing("b"), true);
    auto failed = p.on_committed(lost, true);
    CHECK(told(failed).empty());
    CHECK(unconfirmed(failed) == std::vector<std::string>{"a", "b"}); // answered unavailable at once
    CHECK(written(failed) == std::vector<std::string>{"a", "b"});      // written again from the state now
    CHECK(p.degraded());
    // A step that comes now waits behind them.
    auto c = p.submit(changing("c"), true);
    CHECK(unconfirmed(c) == std::vector<std::string>{"c"});
    CHECK_FALSE(c.write);
    auto stored = p.on_committed({}, true);
    CHECK(told(stored) == std::vector<std::string>{"event a", "event b"});
    CHECK(written(stored) == std::vector<std::string>{"c"}); // c came during the rewrite: written before it is told
    auto last = p.on_committed({}, true);
    CHECK(told(last) == std::vector<std::string>{"event c"});
    CHECK(p.idle());
    CHECK_FALSE(p.degraded());
}

TEST_CASE("a refusal never overtakes the ok of an earlier request still waiting for its commit",
          "[server][app][commit]") {
    commit_pipeline p;
    p.submit(changing("a"), true);
    CHECK(told(p.submit(refusal("r1"), true)).empty()); // behind a, which is in flight
    p.submit(changing("b"), true);
    CHECK(told(p.submit(refusal("r2"), true)).empty()); // behind b, which is gathering
    auto first = p.on_committed({}, true);
    CHECK(told(first) == std::vector<std::string>{"event a", "ok a", "error r1"});
    auto second = p.on_committed({}, true);
    CHECK(told(second) == std::vector<std::string>{"event b", "ok b", "error r2"});
    // With nothing in flight a refusal is told at once.
    CHECK(told(p.submit(refusal("r3"), true)) == std::vector<std::string>{"error r3"});
}

TEST_CASE("a failed rewrite is tried again after a pause, with everything it held", "[server][app][commit]") {
    commit_pipeline p;
    p.submit(changing("a"), true);
    p.on_committed(lost, true);
    auto again = p.on_committed(lost, true); // the rewrite failed too
    CHECK(again.retry_later);
    CHECK_FALSE(again.write);
    auto retry = p.on_retry(true);
    CHECK(written(retry) == std::vector<std::string>{"a"});
    CHECK(told(p.on_committed({}, true)) == std::vector<std::string>{"event a"});
}

TEST_CASE("while Redis is away steps wait, and are written once it answers", "[server][app][commit]") {
    commit_pipeline p;
    auto a = p.submit(changing("a"), false);
    CHECK_FALSE(a.write);
    CHECK(unconfirmed(a) == std::vector<std::string>{"a"});
    CHECK_FALSE(p.on_retry(false).write);
    auto up = p.on_retry(true);
    CHECK(written(up) == std::vector<std::string>{"a"});
    CHECK(told(p.on_committed({}, true)) == std::vector<std::string>{"event a"});
}

TEST_CASE("a step stored while Redis went away is told before the steps that came after it",
          "[server][app][commit]") {
    commit_pipeline p;
    p.submit(changing("a"), true);  // in flight
    p.submit(changing("b"), true);  // gathering
    p.submit(changing("c"), false); // Redis is gone: waits
    auto done = p.on_committed({}, false);
    CHECK(told(done) == std::vector<std::string>{"event a", "ok a"}); // stored, and nothing before it waits
    CHECK(unconfirmed(done) == std::vector<std::string>{"b"});
    auto up = p.on_retry(true);
    CHECK(written(up) == std::vector<std::string>{"b", "c"});
    CHECK(told(p.on_committed({}, true)) == std::vector<std::string>{"event b", "event c"});
}

TEST_CASE("a refusal waiting behind a failed write is told after that write's answers became unavailable",
          "[server][app][commit]") {
    commit_pipeline p;
    p.submit(changing("a"), true);
    p.submit(refusal("r1"), true);
    auto failed = p.on_committed(lost, true);
    CHECK(unconfirmed(failed) == std::vector<std::string>{"a"}); // carried out first
    CHECK(told(failed) == std::vector<std::string>{"error r1"});
    // While the rewrite is pending, a refusal does not wait for it.
    CHECK(told(p.submit(refusal("r2"), true)) == std::vector<std::string>{"error r2"});
    CHECK(told(p.on_committed({}, true)) == std::vector<std::string>{"event a"});
}
