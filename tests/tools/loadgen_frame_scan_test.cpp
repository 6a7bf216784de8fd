#include "loadgen/frame_scan.hpp"

#include <catch2/catch.hpp>

using chat::loadgen::flat_string;
using chat::loadgen::is_flat;

TEST_CASE("the load generator reads a chat message's fields without parsing it", "[tools][loadgen]") {
    std::string_view frame =
        R"({"at":"2026-11-23T09:00:00Z","conversation":"c1","from":"customer","name":"c7","seq":4,"text":"c 7 2 99 xx","type":"message"})";
    REQUIRE(is_flat(frame));
    CHECK(flat_string(frame, "type") == "message");
    CHECK(flat_string(frame, "text") == "c 7 2 99 xx");
    CHECK(flat_string(frame, "conversation") == "c1");
    CHECK_FALSE(flat_string(frame, "seq")); // a number, not a string
    CHECK_FALSE(flat_string(frame, "id"));
}

TEST_CASE("the load generator finds a key only where it is a key", "[tools][loadgen]") {
    std::string_view frame = R"({"name":"type","note":"xtype","type":"ok"})";
    CHECK(flat_string(frame, "type") == "ok");
}

TEST_CASE("frames with nesting or escapes are left to the JSON parser", "[tools][loadgen]") {
    CHECK_FALSE(is_flat(R"({"type":"welcome","conversations":[{"type":"conversation"}]})"));
    CHECK_FALSE(is_flat(R"({"type":"message","text":"a \"quoted\" word"})"));
    CHECK_FALSE(is_flat(R"({"type":"queue_snapshot","stats":{"a":1}})"));
}
