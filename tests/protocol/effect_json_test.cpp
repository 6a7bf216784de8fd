#include "chat/protocol/effect_json.hpp"
#include "chat/queue/errors.hpp"

#include <catch2/catch.hpp>

using namespace chat;
using namespace std::chrono;

TEST_CASE("an effect becomes a JSON object named by its kind", "[protocol][effects]") {
    queue::instant t = sys_days{2026y / 1 / 5} + 10h;
    auto j = protocol::effect_to_json(queue::effect::offered{"c1", "ada", t});
    CHECK(j == nlohmann::json{{"effect", "offered"}, {"conversation", "c1"}, {"expert", "ada"},
                              {"expires_at", "2026-01-05T10:00:00Z"}});
}

TEST_CASE("a refusal carries its stable code and message", "[protocol][effects]") {
    queue::outcome o;
    o.error = queue::make_error_code(queue::errc::not_allowed);
    auto j = protocol::outcome_to_json(o);
    CHECK(j["error"] == "not_allowed");
    CHECK(j["message"] == "you may not act on this conversation");
}
