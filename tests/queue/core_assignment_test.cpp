#include "core_harness.hpp"

using namespace chat::test;

TEST_CASE("a waiting conversation is offered to the expert with the fewest active conversations", "[queue][assignment]") {
    harness h;
    h.expert("ada");
    h.expert("bob");
    h.chat_with("c1", harness::standard("u1"), "ada");
    h.open("c2", harness::standard("u2"));
    CHECK(h.expert_of("c2") == "bob");
}

TEST_CASE("equal loads go to the expert idle longest", "[queue][assignment]") {
    harness h;
    h.expert("ada");
    h.wait(1min);
    h.expert("bob");
    h.open("c1", harness::standard("u1"));
    CHECK(h.expert_of("c1") == "ada");
    REQUIRE(h.core.decline_offer("ada", "c1", h.now));
    CHECK(h.expert_of("c1") == "bob");
    h.open("c2", harness::standard("u2"));
    CHECK(h.expert_of("c2") == "ada");
}

TEST_CASE("a conversation needing skills goes only to an expert who has them", "[queue][assignment]") {
    harness h;
    h.expert("generalist", 3, {"en"});
    h.open("billing", harness::standard("u1"), "", 3, {"billing", "en"});
    CHECK(h.state("billing") == conversation_state::queued);
    h.expert("specialist", 3, {"billing", "en", "de"});
    CHECK(h.expert_of("billing") == "specialist");
    h.consistent();
}

TEST_CASE("nothing is offered beyond an expert's capacity", "[queue][assignment]") {
    harness h;
    h.expert("ada", 2);
    for (int i = 0; i < 5; ++i) h.open("c" + std::to_string(i), harness::standard("u" + std::to_string(i)));
    CHECK(h.of("ada").load == 2);
    CHECK(h.core.queued_count() == 3);
    REQUIRE(h.core.accept_offer("ada", "c0", h.now));
    CHECK(h.core.queued_count() == 3);
    REQUIRE(h.core.set_capacity("ada", 3, h.now));
    CHECK(h.of("ada").load == 3);
    h.consistent();
}

TEST_CASE("an away or offline expert is offered nothing", "[queue][assignment]") {
    harness h;
    h.expert("ada");
    h.core.set_presence("ada", presence::away, h.now);
    h.open("c1", harness::standard("u1"));
    CHECK(h.state("c1") == conversation_state::queued);
    h.core.set_presence("ada", presence::available, h.now);
    CHECK(h.state("c1") == conversation_state::offered);
}

TEST_CASE("a missed offer sets the expert away and puts the conversation back in its place", "[queue][offer]") {
    harness h;
    h.open("first", harness::standard("u1"));
    h.wait(1s);
    h.open("second", harness::standard("u2"));
    h.expert("ada", 1);
    REQUIRE(h.expert_of("first") == "ada");
    auto out = h.wait(30s);
    CHECK(h.of("ada").presence == presence::away);
    CHECK(out.first<effect::offer_withdrawn>()->missed);
    CHECK(h.core.queue_order(h.now) == std::vector<conversation_id>{"first", "second"});
    h.expert("bob", 1);
    CHECK(h.expert_of("first") == "bob");
    h.consistent();
}

TEST_CASE("an offer accepted in time becomes an assignment", "[queue][offer]") {
    harness h;
    h.expert("ada");
    h.open("c1", harness::standard("u1"));
    h.wait(29s);
    auto out = h.core.accept_offer("ada", "c1", h.now);
    REQUIRE(out);
    CHECK(out.first<effect::assigned>()->expert == "ada");
    CHECK(h.state("c1") == conversation_state::active);
    h.wait(10s);
    CHECK(h.of("ada").presence == presence::available);
}

TEST_CASE("an expert who chose auto-accept is assigned without an offer", "[queue][offer]") {
    harness h;
    h.expert("ada", 3, {}, true);
    auto out = h.open("c1", harness::standard("u1"));
    CHECK(out.first<effect::assigned>());
    CHECK_FALSE(out.first<effect::offered>());
    CHECK(h.state("c1") == conversation_state::active);
}

TEST_CASE("only the offered expert can accept, and only once", "[queue][offer]") {
    harness h;
    h.expert("ada");
    h.expert("bob");
    h.open("c1", harness::standard("u1"));
    auto other = h.expert_of("c1") == "ada" ? "bob" : "ada";
    CHECK(refused_with(h.core.accept_offer(other, "c1", h.now), errc::no_offer));
    REQUIRE(h.core.accept_offer(h.expert_of("c1"), "c1", h.now));
    CHECK(refused_with(h.core.accept_offer(h.expert_of("c1"), "c1", h.now), errc::no_offer));
}

TEST_CASE("experts serve only their own tenant's customers", "[queue][assignment]") {
    harness h;
    h.core.register_expert({"zed", "globex", "Zed", 3, {}, false}, h.now);
    h.core.set_presence("zed", presence::available, h.now);
    h.open("c1", harness::standard("u1"));
    CHECK(h.state("c1") == conversation_state::queued);
}

TEST_CASE("an expert narrows their skills to some of those granted, and it lasts across reconnecting", "[queue][skills]") {
    harness h;
    REQUIRE(h.core.register_expert({"ada", "acme", "ada", 1, {"billing", "api"}, std::nullopt}, h.now));
    REQUIRE(h.core.set_presence("ada", presence::available, h.now));
    CHECK(refused_with(h.core.narrow_skills("ada", {"billing", "root"}, h.now), errc::invalid_argument));
    REQUIRE(h.core.narrow_skills("ada", {"api"}, h.now));
    h.open("c1", harness::standard("u1"), "", default_severity, {"billing"});
    CHECK_FALSE(h.core.find("c1")->expert);
    // Registering again (a new connection) keeps the narrowing and auto-accept.
    REQUIRE(h.core.set_auto_accept("ada", true, h.now));
    REQUIRE(h.core.register_expert({"ada", "acme", "ada", std::nullopt, {"billing", "api"}, std::nullopt}, h.now));
    CHECK(h.core.find_expert("ada")->skills == std::set<std::string>{"api"});
    CHECK(h.core.find_expert("ada")->auto_accept);
    // Widening back to everything granted: the billing conversation is assigned at once (auto-accept).
    REQUIRE(h.core.narrow_skills("ada", {"billing", "api"}, h.now));
    CHECK(h.state("c1") == conversation_state::active);
}
