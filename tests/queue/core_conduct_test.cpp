#include "core_harness.hpp"

using namespace chat::test;

namespace {
policy strict_words() {
    policy p;
    p.conduct_words = {"idiot", "useless junk"};
    return p;
}
} // namespace

TEST_CASE("a first offence gets a warning and the conversation goes on", "[queue][conduct]") {
    harness h(strict_words());
    auto u1 = harness::standard("u1");
    h.expert("ada");
    h.chat_with("c1", u1, "ada");
    auto out = h.core.customer_message("c1", u1, "you idiot", "", h.now);
    REQUIRE(out);
    CHECK(out.first<effect::warned>()->offences == 1);
    CHECK(h.state("c1") == conversation_state::active);
}

TEST_CASE("repeated offences close the conversation and restrict the customer", "[queue][conduct]") {
    harness h(strict_words());
    auto u1 = harness::standard("u1");
    h.expert("ada");
    h.chat_with("c1", u1, "ada");
    h.core.customer_message("c1", u1, "idiot", "", h.now);
    h.core.customer_message("c1", u1, "this is useless junk", "", h.now);
    auto out = h.core.customer_message("c1", u1, "IDIOT", "", h.now);
    CHECK(out.first<effect::closed>()->reason == close_reason::conduct);
    CHECK(out.first<effect::restricted>()->until == h.now + 24h);
    CHECK(refused_with(h.open("c2", u1, "let me in"), errc::restricted));
    h.wait(24h);
    CHECK(h.open("c2", u1, "sorry about that"));
}

TEST_CASE("an expert's report closes the conversation and restricts the customer", "[queue][conduct]") {
    harness h;
    auto u1 = harness::standard("u1");
    h.expert("ada");
    h.chat_with("c1", u1, "ada");
    auto out = h.core.report_conduct("ada", "c1", h.now);
    REQUIRE(out);
    CHECK(h.core.find("c1")->closed_as == close_reason::conduct);
    CHECK(h.core.restricted_until("acme", "u1") == h.now + 24h);
    CHECK(refused_with(h.open("c2", u1), errc::restricted));
}
