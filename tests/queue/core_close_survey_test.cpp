#include "core_harness.hpp"

using namespace chat::test;

TEST_CASE("a resolved conversation asks the customer for a survey and keeps the answer", "[queue][close]") {
    harness h;
    auto u1 = harness::standard("u1");
    h.expert("ada");
    h.chat_with("c1", u1, "ada");
    auto out = h.core.expert_close("ada", "c1", h.now);
    CHECK(out.first<effect::closed>()->reason == close_reason::resolved);
    CHECK(out.first<effect::survey_requested>());
    REQUIRE(h.core.submit_survey("c1", u1, 5, "quick and kind", h.now));
    CHECK(h.core.find("c1")->survey_rating == 5);
    CHECK(h.core.find("c1")->survey_comment == "quick and kind");
    CHECK(refused_with(h.core.submit_survey("c1", u1, 4, "", h.now), errc::illegal_transition));
}

TEST_CASE("a survey rating must be 1 to 5", "[queue][close]") {
    harness h;
    auto u1 = harness::standard("u1");
    h.expert("ada");
    h.chat_with("c1", u1, "ada");
    h.core.customer_close("c1", u1, h.now);
    CHECK(h.core.find("c1")->closed_as == close_reason::customer_left);
    CHECK(refused_with(h.core.submit_survey("c1", u1, 0, "", h.now), errc::invalid_argument));
    CHECK(refused_with(h.core.submit_survey("c1", u1, 6, "", h.now), errc::invalid_argument));
    CHECK(h.core.submit_survey("c1", u1, 1, "", h.now));
}

TEST_CASE("a customer who leaves the queue frees their place and gets no survey", "[queue][close]") {
    harness h;
    auto u1 = harness::standard("u1");
    h.open("c1", u1);
    auto out = h.core.customer_close("c1", u1, h.now);
    CHECK(out.first<effect::closed>()->reason == close_reason::customer_left);
    CHECK_FALSE(out.first<effect::survey_requested>());
    CHECK(h.core.queued_count() == 0);
    CHECK(refused_with(h.core.customer_close("c1", u1, h.now), errc::illegal_transition));
}

TEST_CASE("nobody acts on a conversation that is not theirs", "[queue][close]") {
    harness h;
    auto u1 = harness::standard("u1");
    h.expert("ada");
    h.expert("bob");
    h.chat_with("c1", u1, "ada");
    CHECK(refused_with(h.core.customer_close("c1", harness::standard("mallory"), h.now), errc::not_allowed));
    CHECK(refused_with(h.core.customer_message("c1", {"globex", "u1", tier::standard, ""}, "hi", "", h.now),
                       errc::not_allowed));
    CHECK(refused_with(h.core.expert_close("bob", "c1", h.now), errc::not_allowed));
    CHECK(refused_with(h.core.expert_close("ada", "nope", h.now), errc::unknown_conversation));
    CHECK(h.state("c1") == conversation_state::active);
}

TEST_CASE("closing an offered conversation withdraws the offer", "[queue][close]") {
    harness h;
    auto u1 = harness::standard("u1");
    h.expert("ada");
    h.open("c1", u1);
    auto out = h.core.customer_close("c1", u1, h.now);
    CHECK(out.first<effect::offer_withdrawn>()->expert == "ada");
    CHECK(h.of("ada").load == 0);
    h.consistent();
}
