#include "chat/queue/mentions.hpp"

#include <catch2/catch.hpp>

using chat::queue::mentions_in;
using names = std::vector<std::string>;

TEST_CASE("a note names colleagues with @, each once, in the order written", "[queue][mentions]") {
    CHECK(mentions_in("@ben can you check the SSO logs? cc @ada, @ben") == names{"ben", "ada"});
    CHECK(mentions_in("@j.doe_2-x") == names{"j.doe_2-x"});
}

TEST_CASE("an e-mail address, a lone @ and a sentence's full stop name nobody",
          "[queue][mentions]") {
    CHECK(mentions_in("customer is bob@acme.com").empty());
    CHECK(mentions_in("meet @ 3pm").empty());
    CHECK(mentions_in("ask @ada.") == names{"ada"});
    CHECK(mentions_in("no mention at all").empty());
}

TEST_CASE("one note notifies at most ten colleagues", "[queue][mentions]") {
    std::string text;
    for (int i = 0; i < 15; ++i)
        text += "@user" + std::to_string(i) + " ";
    auto found = mentions_in(text);
    REQUIRE(found.size() == chat::queue::mentions_limit);
    CHECK(found.back() == "user9");
}
