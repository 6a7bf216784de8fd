#include "core_harness.hpp"

using namespace chat::test;

TEST_CASE("a hand-off returns the conversation to its place and never to the same expert",
          "[queue][hand_off]") {
    harness h;
    h.expert("ada", 1);
    h.chat_with("c1", harness::standard("u1"), "ada");
    h.wait(1s);
    h.open("later", harness::standard("u2"));
    auto out = h.core.hand_off("ada", "c1", {.note = "needs a billing specialist"}, h.now);
    REQUIRE(out);
    CHECK(out.first<effect::handed_off>()->note == "needs a billing specialist");
    // ada is free again but may not get c1 back: she gets the later one.
    CHECK(h.expert_of("later") == "ada");
    CHECK(h.state("c1") == conversation_state::queued);
    h.expert("bob", 1);
    CHECK(h.expert_of("c1") == "bob");
    h.consistent();
}

TEST_CASE("a hand-off's note stays in the conversation's record for the experts who come next",
          "[queue][hand_off]") {
    harness h;
    h.expert("ada", 1);
    h.chat_with("c1", harness::standard("u1"), "ada");
    h.wait(1s);
    auto at = h.now;
    REQUIRE(h.core.hand_off("ada", "c1", {.note = "needs a refund approver"}, h.now));
    h.expert("bob", 1);
    const auto* c = h.core.find("c1");
    REQUIRE(c->hand_offs.size() == 1);
    CHECK(c->hand_offs[0].from == "ada");
    CHECK(c->hand_offs[0].note == "needs a refund approver");
    CHECK(c->hand_offs[0].at == at);
    CHECK(h.expert_of("c1") == "bob");
}

TEST_CASE("a hand-off card keeps what was tried and what was promised by when",
          "[queue][hand_off]") {
    harness h;
    h.expert("ada", 1);
    h.chat_with("c1", harness::standard("u1"), "ada");
    auto by = h.now + 3h;
    REQUIRE(
        h.core.hand_off("ada", "c1", {"needs SSO", "cleared cookies", "a call back", by}, h.now));
    const auto& card = h.core.find("c1")->hand_offs.at(0);
    CHECK(card.tried == "cleared cookies");
    CHECK(card.promised == "a call back");
    CHECK(card.promised_at == by);
}

TEST_CASE("a hand-off card longer than a note may be is refused, and the conversation stays",
          "[queue][hand_off]") {
    harness h;
    h.expert("ada", 1);
    h.chat_with("c1", harness::standard("u1"), "ada");
    CHECK(refused_with(h.core.hand_off("ada", "c1", {.tried = std::string(4001, 'x')}, h.now),
                       errc::invalid_argument));
    CHECK(h.expert_of("c1") == "ada");
}

TEST_CASE("only the assigned expert can hand a conversation off", "[queue][hand_off]") {
    harness h;
    h.expert("ada");
    h.expert("bob");
    h.chat_with("c1", harness::standard("u1"), "ada");
    CHECK(refused_with(h.core.hand_off("bob", "c1", {}, h.now), errc::not_allowed));
}

TEST_CASE("an expert going offline hands off all their conversations", "[queue][hand_off]") {
    harness h;
    h.expert("ada");
    h.chat_with("c1", harness::standard("u1"), "ada");
    h.open("c2", harness::standard("u2"));
    REQUIRE(h.state("c2") == conversation_state::offered);
    auto out = h.core.set_presence("ada", presence::offline, h.now);
    CHECK(out.all<effect::handed_off>().size() == 1);
    CHECK(h.state("c1") == conversation_state::queued);
    CHECK(h.state("c2") == conversation_state::queued);
    CHECK(h.of("ada").load == 0);
    h.consistent();
}

TEST_CASE("a lost connection hands off only after the grace period", "[queue][hand_off]") {
    harness h;
    h.expert("ada");
    h.chat_with("c1", harness::standard("u1"), "ada");
    h.core.expert_disconnected("ada", h.now);
    h.wait(119s);
    CHECK(h.state("c1") == conversation_state::active);
    h.wait(1s);
    CHECK(h.state("c1") == conversation_state::queued);
    CHECK(h.of("ada").presence == presence::offline);
}

TEST_CASE("reconnecting within the grace period keeps every conversation", "[queue][hand_off]") {
    harness h;
    h.expert("ada");
    h.chat_with("c1", harness::standard("u1"), "ada");
    h.core.expert_disconnected("ada", h.now);
    h.wait(60s);
    h.core.expert_connected("ada", h.now);
    h.wait(10min);
    CHECK(h.state("c1") == conversation_state::active);
    CHECK(h.expert_of("c1") == "ada");
}
