// The Cluster's slot map and where each command chatd sends goes.

#include "chat/server/redis/slot.hpp"
#include "chat/server/redis/slot_map.hpp"

#include <catch2/catch.hpp>

using namespace chat::server::redis;

namespace {

value integer(long long n) {
    value v;
    v.type = value::kind::integer;
    v.integer = n;
    return v;
}
value text(std::string s, value::kind k = value::kind::string) {
    value v;
    v.type = k;
    v.text = std::move(s);
    return v;
}
value array(std::vector<value> items) {
    value v;
    v.type = value::kind::array;
    v.elements = std::move(items);
    return v;
}
value range(long long first, long long last, const std::string& host, long long port) {
    return array({integer(first), integer(last), array({text(host), integer(port), text("id")}),
                  array({text("10.0.0.9"), integer(7009), text("replica")})});
}

} // namespace

TEST_CASE("the slot map names each slot's master from CLUSTER SLOTS", "[server][redis][cluster]") {
    auto m = slot_map::from_reply(array({range(0, 5460, "10.0.0.1", 7001), range(5461, 10922, "10.0.0.2", 7002),
                                         range(10923, 16383, "10.0.0.1", 7001)}));
    REQUIRE(m);
    CHECK(m->masters().size() == 2);
    CHECK(m->master_of(0).text() == "10.0.0.1:7001");
    CHECK(m->master_of(5461).text() == "10.0.0.2:7002");
    CHECK(m->master_of(16383).text() == "10.0.0.1:7001");
    m->moved(5461, {"10.0.0.3", 7003});
    CHECK(m->master_of(5461).text() == "10.0.0.3:7003");
    CHECK(m->master_of(5462).text() == "10.0.0.2:7002");
}

TEST_CASE("a slot map with slots nobody serves is not used", "[server][redis][cluster]") {
    CHECK_FALSE(slot_map::from_reply(array({range(0, 5460, "10.0.0.1", 7001)})));
    CHECK_FALSE(slot_map::from_reply(array({range(0, 16384, "10.0.0.1", 7001)})));
    CHECK_FALSE(slot_map::from_reply(text("ERR This instance has cluster support disabled", value::kind::error)));
}

TEST_CASE("a command goes by its key, a commit by its first key, and the test vector of CRC16 holds", "[server][redis][cluster]") {
    CHECK(crc16("123456789") == 0x31C3);
    CHECK(key_slot("chat:{s7.112}:live") == key_slot("s7.112"));
    CHECK(key_of({"XADD", "chat:{s1.5}:c:x:messages", "0-1", "text", "hi"}) == "chat:{s1.5}:c:x:messages");
    CHECK(key_of({"FCALL", "chatd_commit", "2", "chat:{s1.5}:epoch", "chat:{s1.5}:live", "7"}) == "chat:{s1.5}:epoch");
    CHECK_FALSE(key_of({"WAIT", "1", "1000"}));
    CHECK_FALSE(key_of({"PUBLISH", "chat:cluster", "H"}));
    CHECK_FALSE(key_of({"function", "load", "replace", "#!lua name=chatd"}));
}

TEST_CASE("MOVED and ASK answers say where a slot went", "[server][redis][cluster]") {
    auto moved = redirection_of(text("MOVED 3999 127.0.0.1:6381", value::kind::error));
    REQUIRE(moved);
    CHECK_FALSE(moved->ask);
    CHECK(moved->slot == 3999);
    CHECK(moved->to.text() == "127.0.0.1:6381");
    auto ask = redirection_of(text("ASK 12 10.0.0.2:7002", value::kind::error));
    REQUIRE(ask);
    CHECK(ask->ask);
    CHECK_FALSE(redirection_of(text("MOVED 3999 127.0.0.1:6381")));        // not an error: a value
    CHECK_FALSE(redirection_of(text("MOVED 99999 h:1", value::kind::error))); // no such slot
    CHECK_FALSE(redirection_of(text("ERR unknown command", value::kind::error)));
}
