#include "chat/queue/conduct_filter.hpp"

#include <catch2/catch.hpp>

using namespace chat::queue;

TEST_CASE("listed words offend as whole words, whatever their case", "[conduct]") {
    conduct_filter filter({"idiot", "shut up"});
    CHECK(filter.offends("You IDIOT!"));
    CHECK(filter.offends("just shut   up, now"));
    CHECK_FALSE(filter.offends("idiotic scripts")); // not the whole word
    CHECK_FALSE(filter.offends("please shut the door, up there"));
}

TEST_CASE("an empty word list offends nobody", "[conduct]") {
    CHECK_FALSE(conduct_filter{}.offends("anything at all"));
}
