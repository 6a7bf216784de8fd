#include "core_harness.hpp"

using namespace chat::test;

TEST_CASE("a second opening about the same issue is closed as a duplicate of the open one", "[queue][duplicate]") {
    harness h;
    auto u1 = harness::standard("u1");
    REQUIRE(h.open("c1", u1, "I can't export my invoices to PDF"));
    auto out = h.open("c2", u1, "Exporting invoices to PDF fails");
    REQUIRE(out);
    CHECK(out.conversation == "c1");
    CHECK(out.first<effect::duplicate>()->kept == "c1");
    CHECK(h.state("c2") == conversation_state::closed);
    CHECK(h.core.find("c2")->closed_as == close_reason::duplicate);
    CHECK(h.core.find("c1")->opening_messages.size() == 2);
    CHECK(h.core.queued_count() == 1);
    h.consistent();
}

TEST_CASE("a saved conversation also catches a duplicate opening", "[queue][duplicate]") {
    harness h;
    auto u1 = harness::standard("u1");
    h.expert("ada");
    h.open("c1", u1, "Single sign-on with Okta stopped working");
    h.core.accept_offer("ada", "c1", h.now);
    h.fall_silent("c1");
    CHECK(h.open("c2", u1, "Okta single sign-on not working").conversation == "c1");
}

TEST_CASE("distinct issues run side by side up to three per customer", "[queue][duplicate]") {
    harness h;
    auto u1 = harness::standard("u1");
    REQUIRE(h.open("c1", u1, "invoice export to PDF fails"));
    REQUIRE(h.open("c2", u1, "how do I invite a teammate"));
    REQUIRE(h.open("c3", u1, "dark mode colours look wrong"));
    CHECK(refused_with(h.open("c4", u1, "webhooks arrive twice"), errc::too_many_open));
    CHECK(h.open("c5", u1, "invoice PDF export fails").conversation == "c1");
}

TEST_CASE("another customer's similar conversation is not a duplicate", "[queue][duplicate]") {
    harness h;
    h.open("c1", harness::standard("u1"), "invoice export to PDF fails");
    auto out = h.open("c2", harness::standard("u2"), "invoice export to PDF fails");
    CHECK(out.conversation == "c2");
    CHECK(h.state("c2") == conversation_state::queued);
}

TEST_CASE("an expert merges a conversation into another of the same customer", "[queue][duplicate]") {
    harness h;
    auto u1 = harness::standard("u1");
    h.expert("ada");
    h.open("c1", u1, "invoice export to PDF fails");
    h.open("c2", u1, "the mobile app crashes when I log in");
    REQUIRE(h.core.accept_offer("ada", "c2", h.now));
    auto out = h.core.mark_duplicate("ada", "c2", "c1", h.now);
    REQUIRE(out);
    CHECK(out.first<effect::closed>()->reason == close_reason::duplicate);
    CHECK(h.core.find("c2")->duplicate_of == "c1");
    CHECK(h.of("ada").load == 1);
    h.consistent();
}

TEST_CASE("conversations of different customers cannot be merged", "[queue][duplicate]") {
    harness h;
    h.expert("ada");
    h.open("c1", harness::standard("u1"));
    h.open("c2", harness::standard("u2"));
    REQUIRE(h.core.accept_offer("ada", "c2", h.now));
    CHECK(refused_with(h.core.mark_duplicate("ada", "c2", "c1", h.now), errc::not_allowed));
    CHECK(refused_with(h.core.mark_duplicate("ada", "c2", "c2", h.now), errc::invalid_argument));
}
