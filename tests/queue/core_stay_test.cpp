#include "core_harness.hpp"

using namespace chat::test;

namespace {

void schedule(harness& h, const std::string& c, const customer& who, instant at) {
    REQUIRE(h.core.request_stay(c, who, h.now).first<effect::stay_requested>());
    REQUIRE(h.core.propose_stay("ada", c, at, h.now));
    REQUIRE(h.core.accept_stay(c, who, at, h.now));
}

} // namespace

TEST_CASE("at the agreed time the conversation is offered only to the same expert", "[queue][stay]") {
    harness h;
    auto u1 = harness::standard("u1");
    h.expert("ada", 1);
    h.chat_with("c1", u1, "ada");
    auto at = h.now + 2h;
    schedule(h, "c1", u1, at);
    CHECK(h.state("c1") == conversation_state::scheduled);
    CHECK(h.of("ada").load == 0);
    h.expert("bob", 1);
    h.wait(2h);
    CHECK(h.expert_of("c1") == "ada");
    CHECK(h.state("c1") == conversation_state::offered);
    h.consistent();
}

TEST_CASE("if the expert is not available within the grace period it falls back to the queue", "[queue][stay]") {
    harness h;
    auto u1 = harness::standard("u1");
    h.expert("ada", 1);
    h.chat_with("c1", u1, "ada");
    schedule(h, "c1", u1, h.now + 1h);
    h.core.set_presence("ada", presence::away, h.now);
    h.expert("bob", 1);
    h.wait(1h);
    CHECK(h.state("c1") == conversation_state::queued);
    h.wait(14min);
    CHECK(h.state("c1") == conversation_state::queued);
    h.wait(1min);
    CHECK(h.expert_of("c1") == "bob");
}

TEST_CASE("the customer can only accept the time the expert proposed", "[queue][stay]") {
    harness h;
    auto u1 = harness::standard("u1");
    h.expert("ada");
    h.chat_with("c1", u1, "ada");
    CHECK(refused_with(h.core.accept_stay("c1", u1, h.now + 1h, h.now), errc::no_proposal));
    REQUIRE(h.core.propose_stay("ada", "c1", h.now + 1h, h.now));
    CHECK(refused_with(h.core.accept_stay("c1", u1, h.now + 2h, h.now), errc::no_proposal));
    CHECK(refused_with(h.core.propose_stay("ada", "c1", h.now - 1s, h.now), errc::invalid_argument));
}

TEST_CASE("a scheduled conversation falls back in its original place", "[queue][stay]") {
    harness h;
    auto u1 = harness::standard("u1");
    h.expert("ada", 1);
    h.chat_with("c1", u1, "ada");
    schedule(h, "c1", u1, h.now + 1h);
    h.core.set_presence("ada", presence::away, h.now);
    h.wait(30min);
    h.open("newer", harness::standard("u2"));
    h.wait(30min + 15min);
    CHECK(h.core.queue_order(h.now) == std::vector<conversation_id>{"c1", "newer"});
}
