#include "chat/queue/message_numbering.hpp"

#include <catch2/catch.hpp>

using namespace chat::queue;

TEST_CASE("messages are numbered one after another and their client ids remembered", "[queue][numbering]") {
    message_numbering n;
    CHECK(n.add("a", instant{}) == 1u);
    CHECK(n.add("b", instant{}) == 2u);
    CHECK(n.add("", instant{}) == 3u); // numbered, but nothing to remember it by
    REQUIRE(n.find("a"));
    CHECK(n.find("a")->seq == 1u);
    CHECK(n.find("b")->seq == 2u);
    CHECK_FALSE(n.find(""));
    CHECK(n.recent().size() == 2);
    CHECK(n.last_seq() == 3u);
}

TEST_CASE("the last 64 client ids are remembered with their numbers", "[queue][numbering]") {
    message_numbering n;
    for (int i = 1; i <= 70; ++i) n.add("m-" + std::to_string(i), instant{});
    CHECK(n.recent().size() == message_numbering::recent_limit);
    CHECK_FALSE(n.find("m-6"));
    CHECK(n.find("m-7")->seq == 7u);
    CHECK(n.find("m-70")->seq == 70u);
    CHECK_FALSE(n.find("m-71"));
}

TEST_CASE("a restored numbering learns the stream's tail under what it numbered since", "[queue][numbering]") {
    auto n = message_numbering::restored(3, {{"old-3", 3, instant{}, 0}}, false);
    CHECK_FALSE(n.complete());
    n.caught_up({"old-4", 4, instant{}, 0}); // the stream was ahead of the stored record
    CHECK(n.last_seq() == 4u);
    CHECK(n.add("new", instant{}) == 5u);
    n.learn({{"new", 5, instant{}, 0}, {"old-4", 4, instant{}, 0}, {"", 3, instant{}, 0}, {"old-2", 2, instant{}, 0}});
    CHECK(n.complete());
    CHECK(n.find("old-2")->seq == 2u);
    CHECK(n.find("old-4")->seq == 4u);
    CHECK(n.find("new")->seq == 5u);
    REQUIRE(n.recent().size() == 4);
    CHECK(n.recent().front().client_id == "old-2"); // oldest first
    CHECK(n.last_seq() == 5u);
}
