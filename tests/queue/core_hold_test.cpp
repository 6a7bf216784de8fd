#include "core_harness.hpp"

using namespace chat::test;

TEST_CASE("a hold frees the expert's capacity", "[queue][hold]") {
    harness h;
    auto u1 = harness::standard("u1");
    h.expert("ada", 1);
    h.chat_with("c1", u1, "ada");
    h.open("c2", harness::standard("u2"));
    CHECK(h.state("c2") == conversation_state::queued);
    auto out = h.core.customer_hold("c1", u1, h.now);
    REQUIRE(out);
    CHECK(out.first<effect::held>()->by == party::customer);
    CHECK(h.state("c1") == conversation_state::on_hold);
    CHECK(h.expert_of("c2") == "ada");
    h.consistent();
}

TEST_CASE("a hold can be set to keep the expert's capacity", "[queue][hold]") {
    policy p;
    p.hold_frees_capacity = false;
    harness h(p);
    auto u1 = harness::standard("u1");
    h.expert("ada", 1);
    h.chat_with("c1", u1, "ada");
    REQUIRE(h.core.expert_hold("ada", "c1", h.now));
    h.open("c2", harness::standard("u2"));
    CHECK(h.state("c2") == conversation_state::queued);
    REQUIRE(h.core.customer_message("c1", u1, "done, it works now", "", h.now));
    CHECK(h.state("c1") == conversation_state::active);
    h.consistent();
}

TEST_CASE("a customer reply takes the conversation off hold back to the same expert", "[queue][hold]") {
    harness h;
    auto u1 = harness::standard("u1");
    h.expert("ada", 2);
    h.chat_with("c1", u1, "ada");
    REQUIRE(h.core.expert_hold("ada", "c1", h.now));
    h.wait(10min);
    auto out = h.core.customer_message("c1", u1, "I've restarted the app", "", h.now);
    CHECK(out.first<effect::resumed>()->expert == "ada");
    CHECK(h.state("c1") == conversation_state::active);
}

TEST_CASE("a held conversation waits two minutes for its full expert, then takes its place in the queue", "[queue][hold]") {
    harness h;
    auto u1 = harness::standard("u1");
    h.expert("ada", 1);
    h.chat_with("c1", u1, "ada");
    REQUIRE(h.core.expert_hold("ada", "c1", h.now));
    h.open("c2", harness::standard("u2"));
    REQUIRE(h.core.accept_offer("ada", "c2", h.now));
    h.expert("bob", 1);
    h.chat_with("c3", harness::standard("u3"), "bob");
    h.core.customer_message("c1", u1, "back", "", h.now);
    CHECK(h.state("c1") == conversation_state::queued);

    SECTION("ada frees up within two minutes and gets it back directly") {
        h.wait(1min);
        h.core.expert_close("ada", "c2", h.now);
        CHECK(h.state("c1") == conversation_state::active);
        CHECK(h.expert_of("c1") == "ada");
    }
    SECTION("after two minutes anyone may take it") {
        h.wait(2min);
        h.core.expert_close("bob", "c3", h.now);
        CHECK(h.expert_of("c1") == "bob");
    }
    h.consistent();
}

TEST_CASE("the expert can resume a held conversation when they have room", "[queue][hold]") {
    harness h;
    auto u1 = harness::standard("u1");
    h.expert("ada", 1);
    h.chat_with("c1", u1, "ada");
    REQUIRE(h.core.expert_hold("ada", "c1", h.now));
    h.open("c2", harness::standard("u2"));
    REQUIRE(h.core.accept_offer("ada", "c2", h.now));
    CHECK(refused_with(h.core.expert_resume("ada", "c1", h.now), errc::over_capacity));
    h.core.expert_close("ada", "c2", h.now);
    REQUIRE(h.core.expert_resume("ada", "c1", h.now));
    CHECK(h.state("c1") == conversation_state::active);
}

TEST_CASE("only an active conversation can be put on hold", "[queue][hold]") {
    harness h;
    auto u1 = harness::standard("u1");
    h.open("c1", u1);
    CHECK(refused_with(h.core.customer_hold("c1", u1, h.now), errc::illegal_transition));
    CHECK(refused_with(h.core.customer_resume("c1", u1, h.now), errc::illegal_transition));
}
