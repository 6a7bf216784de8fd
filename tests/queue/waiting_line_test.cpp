#include "chat/queue/waiting_line.hpp"

#include <catch2/catch.hpp>

using namespace chat::queue;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> order(const waiting_line& line, instant now, waiting_line::aging age = {}) {
    std::vector<std::string> ids;
    line.for_each(now, age, [&](const conversation_id& id, tier) {
        ids.push_back(id);
        return true;
    });
    return ids;
}

} // namespace

TEST_CASE("the line orders by tier, then severity, then first queued time", "[waiting_line]") {
    waiting_line line;
    instant t0{};
    line.push({tier::standard, 1, t0, 1, "std-critical-early"});
    line.push({tier::enterprise, 4, t0 + 5s, 2, "ent-low-late"});
    line.push({tier::enterprise, 2, t0 + 9s, 3, "ent-high-later"});
    line.push({tier::standard, 3, t0 - 1s, 4, "std-normal-earliest"});
    line.push({tier::standard, 1, t0 + 1s, 5, "std-critical-late"});
    CHECK(order(line, t0 + 10s) == std::vector<std::string>{"ent-high-later", "ent-low-late", "std-critical-early",
                                                             "std-critical-late", "std-normal-earliest"});
}

TEST_CASE("aging lets a long-waiting tier rank with the tier above", "[waiting_line]") {
    waiting_line line;
    instant t0{};
    line.push({tier::standard, 3, t0, 1, "std-old"});
    line.push({tier::enterprise, 3, t0 + 9min, 2, "ent-new"});
    waiting_line::aging age{std::nullopt, 10min};
    CHECK(order(line, t0 + 9min, age) == std::vector<std::string>{"ent-new", "std-old"});
    CHECK(order(line, t0 + 10min, age) == std::vector<std::string>{"std-old", "ent-new"});
}

TEST_CASE("an erased conversation leaves the line and a re-pushed one keeps its place", "[waiting_line]") {
    waiting_line line;
    instant t0{};
    line.push({tier::standard, 3, t0, 1, "a"});
    line.push({tier::standard, 3, t0 + 1s, 2, "b"});
    CHECK(line.erase("a"));
    CHECK_FALSE(line.erase("a"));
    CHECK(order(line, t0) == std::vector<std::string>{"b"});
    line.push({tier::standard, 3, t0, 1, "a"});
    CHECK(order(line, t0) == std::vector<std::string>{"a", "b"});
    CHECK(line.size() == 2);
}
