#include "chat/protocol/codec.hpp"
#include "chat/protocol/events.hpp"

#include <catch2/catch.hpp>

#include <random>

using namespace chat::protocol;

namespace {

// What the generic writer (a JSON document, dumped) makes of the same event.
template <class E> nlohmann::json generic(const E& e) {
    return nlohmann::json::parse(
        to_json_message(e).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

// Text a client might send: quotes, backslashes, control characters, every length of UTF-8
// sequence, and (rarely) bytes that are not UTF-8 at all.
std::string awkward_text(std::mt19937& rng) {
    static const std::vector<std::string> pieces{"hello",
                                                 " ",
                                                 "\"",
                                                 "\\",
                                                 "/",
                                                 "\n",
                                                 "\r\n",
                                                 "\t",
                                                 std::string(1, '\0'),
                                                 "\x01",
                                                 "\x1f",
                                                 "\x7f",
                                                 "\xc3\xa9",
                                                 "\xe2\x82\xac",
                                                 "\xf0\x9f\x98\x80",
                                                 "\xed\x9f\xbf",
                                                 "\xef\xbf\xbd",
                                                 "{\"type\":\"x\"}",
                                                 "\xc3",
                                                 "\xe2\x82",
                                                 "\xed\xa0\x80",
                                                 "\xc0\xaf",
                                                 "\xf4\x90\x80\x80",
                                                 "\xff",
                                                 "\x80"};
    std::uniform_int_distribution<std::size_t> count(0, 12), pick(0, pieces.size() - 1), rare(0, 9);
    std::string s;
    for (auto n = count(rng); n > 0; --n) {
        auto i = pick(rng);
        if (i >= 18 && rare(rng) != 0) continue; // invalid UTF-8 in about one text in ten
        s += pieces[i];
    }
    return s;
}

} // namespace

TEST_CASE("a chat message written by hand reads as the generic writer's", "[protocol][frames]") {
    std::mt19937 rng(20261206);
    for (int i = 0; i < 2000; ++i) {
        event::message m;
        m.conversation = "c-" + std::to_string(i);
        m.seq = i % 7 == 0 ? 18446744073709551615ull : static_cast<std::uint64_t>(i);
        m.from = i % 2 ? "customer" : "expert";
        m.name = awkward_text(rng);
        m.text = awkward_text(rng);
        m.at = chat::queue::instant(std::chrono::seconds(1'796'000'000 + i));
        if (i % 3) m.client_id = awkward_text(rng);
        auto text = to_text(m);
        INFO(text);
        CHECK(nlohmann::json::parse(text) == generic(m));
    }
}

TEST_CASE("an ok written by hand reads as the generic writer's, with and without each field",
          "[protocol][frames]") {
    std::mt19937 rng(7);
    for (int i = 0; i < 64; ++i) {
        event::ok ok;
        if (i & 1) ok.id = awkward_text(rng);
        if (i & 2) ok.conversation = "c-" + std::to_string(i);
        if (i & 4) ok.seq = static_cast<std::uint64_t>(i) * 1000;
        if (i & 8) ok.at = chat::queue::instant(std::chrono::seconds(1'796'000'000 + i));
        auto text = to_text(ok);
        INFO(text);
        CHECK(nlohmann::json::parse(text) == generic(ok));
    }
}

TEST_CASE("a chat message's frame is flat, names its type first and has no spaces",
          "[protocol][frames]") {
    event::message m{
        "c-1", 5, "expert", "Ann", "it works", chat::queue::instant(std::chrono::seconds(0)), "m1"};
    CHECK(to_text(m) ==
          R"({"type":"message","conversation":"c-1","seq":5,"from":"expert","name":"Ann",)"
          R"("text":"it works","at":"1970-01-01T00:00:00Z","client_id":"m1"})");
}
