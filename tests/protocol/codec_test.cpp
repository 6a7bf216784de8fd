#include "chat/protocol/codec.hpp"

#include <catch2/catch.hpp>

using namespace chat::protocol;

namespace {

parsed_request parse(std::string_view text) { return parse_request(text); }

std::string code_of(std::string_view text) {
    auto p = parse(text);
    REQUIRE(p.error);
    return p.error->code;
}

} // namespace

TEST_CASE("a valid send becomes a typed request that keeps its id", "[protocol][codec]") {
    auto p = parse(R"({"type":"send","id":"r1","conversation":"c-1","text":"hello","client_id":"m1"})");
    REQUIRE_FALSE(p.error);
    REQUIRE(p.id == "r1");
    auto* send = std::get_if<request::send>(&*p.request);
    REQUIRE(send);
    CHECK(send->conversation == "c-1");
    CHECK(send->text == "hello");
    CHECK(send->client_id == "m1");
    CHECK(type_of(*p.request) == "send");
    CHECK(allows(roles_of(*p.request), role::customer));
    CHECK(allows(roles_of(*p.request), role::monitor)); // a lead who joined; the hub checks that
    auto lead_only = parse(R"({"type":"take_over","id":"r2","conversation":"c-1"})");
    REQUIRE_FALSE(lead_only.error);
    CHECK(allows(roles_of(*lead_only.request), role::monitor));
    CHECK_FALSE(allows(roles_of(*lead_only.request), role::expert));
    CHECK_FALSE(allows(roles_of(*lead_only.request), role::customer));
}

TEST_CASE("optional fields may be left out and are read when present", "[protocol][codec]") {
    auto bare = parse(R"({"type":"open","topic":"billing","text":"my invoice"})");
    REQUIRE_FALSE(bare.error);
    CHECK_FALSE(std::get<request::open>(*bare.request).severity);
    auto full = parse(R"({"type":"open","topic":"billing","text":"my invoice","severity":1})");
    REQUIRE_FALSE(full.error);
    CHECK(std::get<request::open>(*full.request).severity == 1);
}

TEST_CASE("instants are parsed into the core's time type", "[protocol][codec]") {
    auto p = parse(R"({"type":"stay_accept","conversation":"c1","at":"2026-11-23T09:00:00Z"})");
    REQUIRE_FALSE(p.error);
    CHECK(format_instant(std::get<request::stay_accept>(*p.request).at) == "2026-11-23T09:00:00Z");
    CHECK(code_of(R"({"type":"stay_accept","conversation":"c1","at":"monday"})") == "bad_field");
}

TEST_CASE("malformed JSON and non-objects are refused with their own codes", "[protocol][codec]") {
    CHECK(code_of("{\"type\":") == "bad_json");
    CHECK(code_of("[1,2]") == "not_an_object");
    CHECK(code_of("\"send\"") == "not_an_object");
    CHECK(code_of("{\"type\":\"send\",\"text\":\"\xff\xfe\"}") == "bad_json");
}

TEST_CASE("an unknown or missing type is refused and names the type", "[protocol][codec]") {
    auto p = parse(R"({"type":"launch_rockets","id":"7"})");
    REQUIRE(p.error);
    CHECK(p.error->code == "unknown_type");
    CHECK(p.error->message.find("launch_rockets") != std::string::npos);
    CHECK(p.id == "7");
    CHECK(code_of(R"({"id":"7"})") == "bad_field");
    CHECK(code_of(R"({"type":5})") == "bad_field");
}

TEST_CASE("a missing or mistyped field is refused and named", "[protocol][codec]") {
    auto missing = parse(R"({"type":"send","conversation":"c1","client_id":"m1"})");
    REQUIRE(missing.error);
    CHECK(missing.error->code == "bad_field");
    CHECK(missing.error->message == "missing field 'text'");
    auto wrong = parse(R"({"type":"survey","conversation":"c1","rating":"five"})");
    REQUIRE(wrong.error);
    CHECK(wrong.error->message.find("'rating'") != std::string::npos);
    CHECK(code_of(R"({"type":"survey","conversation":"c1","rating":6})") == "bad_field");
    CHECK(code_of(R"({"type":"capacity","capacity":2.5})") == "bad_field");
    CHECK(code_of(R"({"type":"presence","presence":"asleep"})") == "bad_field");
    CHECK(code_of(R"({"type":"history","conversation":"c1","after":-1})") == "bad_field");
}

TEST_CASE("ids that could not safely be part of a Redis key are refused", "[protocol][codec]") {
    CHECK(valid_id("c-1.a_b:c@d"));
    CHECK_FALSE(valid_id(""));
    CHECK_FALSE(valid_id(std::string(65, 'a')));
    for (auto bad : {"a b", "a{b}", "a*", "a\nb", "chat:{x}", "é"}) {
        INFO(bad);
        CHECK_FALSE(valid_id(bad));
    }
    CHECK(code_of(R"({"type":"history","conversation":"c1}*"})") == "bad_field");
    CHECK(code_of(R"({"type":"ping","id":"has space"})") == "bad_field");
}

TEST_CASE("text longer than a chat message allows is refused", "[protocol][codec]") {
    auto text = std::string(4001, 'x');
    CHECK(code_of(R"({"type":"send","conversation":"c1","client_id":"m","text":")" + text + "\"}") ==
          "bad_field");
    CHECK(code_of(R"({"type":"send","conversation":"c1","client_id":"m","text":""})") == "bad_field");
}

TEST_CASE("deep nesting is refused before a document is built", "[protocol][codec]") {
    CHECK(nests_deeper_than(std::string(100000, '['), 8));
    CHECK_FALSE(nests_deeper_than(R"({"a":{"b":[1,2,{"c":"[[[[[[[[[[[["}]}})", 8));
    CHECK(nests_deeper_than(R"({"a":[[[[[[[[1]]]]]]]]})", 8));
    CHECK(code_of(std::string(60000, '[')) == "too_deep");
}

TEST_CASE("a frame over the size limit is refused without parsing", "[protocol][codec]") {
    parse_limits small{100, 8};
    auto p = parse_request(std::string(101, ' '), small);
    REQUIRE(p.error);
    CHECK(p.error->code == "too_large");
}

TEST_CASE("a message prints as JSON that parses back to the same message", "[protocol][codec]") {
    request::hand_off h{"c9", std::string("customer wants SSO")};
    auto j = to_json_message(h);
    CHECK(j.at("type") == "hand_off");
    auto back = parse(j.dump());
    REQUIRE_FALSE(back.error);
    auto& again = std::get<request::hand_off>(*back.request);
    CHECK(again.conversation == "c9");
    CHECK(again.note == "customer wants SSO");
    request::hand_off bare{"c9", std::nullopt};
    CHECK_FALSE(to_json_message(bare).contains("note"));
}
