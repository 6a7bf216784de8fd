#include "core_harness.hpp"

using namespace chat::test;

namespace {

transfer_target to_expert(const std::string& e) { return {e, {}}; }
transfer_target to_team(const std::string& team) { return {std::nullopt, team}; }

} // namespace

TEST_CASE("a transfer to a named colleague is offered to them with the card", "[queue][transfer]") {
    harness h;
    h.expert("ada", 1);
    h.chat_with("c1", harness::standard("u1"), "ada");
    h.expert("bob", 1);
    auto out = h.core.transfer("ada", "c1", to_expert("bob"), {.note = "wants a refund", .tried = "re-ran it"}, h.now);
    REQUIRE(out);
    auto handed = out.first<effect::handed_off>();
    REQUIRE(handed);
    CHECK(handed->to == "bob");
    CHECK(handed->note == "wants a refund");
    auto offer = out.first<effect::offered>();
    REQUIRE(offer);
    CHECK(offer->expert == "bob");
    const auto& card = h.core.find("c1")->hand_offs.back();
    CHECK(card.to == "bob");
    CHECK(card.tried == "re-ran it");
    CHECK(h.of("ada").load == 0);
    REQUIRE(h.core.accept_offer("bob", "c1", h.now));
    CHECK(h.state("c1") == conversation_state::active);
    h.consistent();
}

TEST_CASE("a declined transfer goes back in its original place, ahead of later conversations",
          "[queue][transfer]") {
    harness h;
    h.expert("ada", 1);
    h.expert("bob", 1);
    h.chat_with("c1", harness::standard("u1"), "ada");
    h.wait(1min);
    h.open("later", harness::standard("u2"));
    REQUIRE(h.expert_of("later") == "bob");
    REQUIRE(h.core.decline_offer("bob", "later", h.now));
    // ada steps away (keeping c1); she transfers c1 to bob, free again, and he declines it too.
    REQUIRE(h.core.set_presence("ada", presence::away, h.now));
    REQUIRE(h.core.transfer("ada", "c1", to_expert("bob"), {}, h.now));
    REQUIRE(h.core.decline_offer("bob", "c1", h.now));
    CHECK(h.state("c1") == conversation_state::queued);
    auto order = h.core.queue_order(h.now);
    REQUIRE(order.size() == 2);
    CHECK(order.front() == "c1");
    // Neither ada (who transferred it) nor bob (who declined it) get it; carol does.
    h.expert("carol", 1);
    CHECK(h.expert_of("c1") == "carol");
    h.consistent();
}

TEST_CASE("a transfer the colleague misses goes back to the queue and keeps its SLA clock",
          "[queue][transfer]") {
    harness h;
    h.expert("ada", 1);
    h.open("c1", harness::standard("u1"));
    h.wait(5s);
    REQUIRE(h.core.accept_offer("ada", "c1", h.now));
    auto first_queued = h.core.find("c1")->first_queued_at;
    auto sla_before = h.core.find("c1")->sla;
    h.expert("bob", 1);
    REQUIRE(h.core.transfer("ada", "c1", to_expert("bob"), {}, h.now));
    auto out = h.wait(h.core.policy().offer_timeout);
    CHECK(out.first<effect::offer_withdrawn>()->missed);
    const auto* c = h.core.find("c1");
    CHECK(c->state == conversation_state::queued);
    CHECK(c->first_queued_at == first_queued);
    CHECK(c->sla.target == sla_before.target);
    CHECK(c->sla.running_since == sla_before.running_since);
    h.consistent();
}

TEST_CASE("a transfer to someone who cannot take it now is refused and the conversation stays",
          "[queue][transfer]") {
    harness h;
    h.expert("ada", 2);
    h.expert("bob", 1);
    h.chat_with("c1", harness::standard("u1"), "ada");
    h.chat_with("c2", harness::standard("u2"), "bob");
    CHECK(refused_with(h.core.transfer("ada", "c1", to_expert("bob"), {}, h.now), errc::expert_unavailable));
    REQUIRE(h.core.register_expert({"zed", "globex", "Zed", 3, {}, {}}, h.now));
    REQUIRE(h.core.set_presence("zed", presence::available, h.now));
    CHECK(refused_with(h.core.transfer("ada", "c1", to_expert("zed"), {}, h.now), errc::unknown_expert));
    CHECK(refused_with(h.core.transfer("ada", "c1", to_expert("ada"), {}, h.now), errc::invalid_argument));
    CHECK(refused_with(h.core.transfer("bob", "c1", to_expert("ada"), {}, h.now), errc::not_allowed));
    CHECK(h.expert_of("c1") == "ada");
    CHECK(h.state("c1") == conversation_state::active);
}

TEST_CASE("a transfer to a team waits in its original place for an expert of that team",
          "[queue][transfer]") {
    harness h;
    h.expert("ada", 1, {"sso"});
    h.expert("bob", 1, {"sso"});
    h.chat_with("c1", harness::standard("u1"), "ada");
    h.expert("bea", 0, {"billing"});
    REQUIRE(h.core.transfer("ada", "c1", to_team("billing"), {.note = "invoice question"}, h.now));
    // bob is free but not in billing: it waits for bea's room.
    CHECK(h.state("c1") == conversation_state::queued);
    CHECK(h.core.find("c1")->required_skills == std::set<std::string>{"billing"});
    REQUIRE(h.core.set_capacity("bea", 1, h.now));
    CHECK(h.expert_of("c1") == "bea");
    CHECK(h.core.find("c1")->hand_offs.back().team == "billing");
    CHECK(refused_with(h.core.transfer("bea", "c1", to_team("legal"), {}, h.now), errc::illegal_transition));
    h.consistent();
}

TEST_CASE("a transfer to a team nobody of the tenant is in is refused", "[queue][transfer]") {
    harness h;
    h.expert("ada", 1);
    h.chat_with("c1", harness::standard("u1"), "ada");
    CHECK(refused_with(h.core.transfer("ada", "c1", to_team("legal"), {}, h.now), errc::unknown_team));
    CHECK(refused_with(h.core.transfer("ada", "c1", {}, {}, h.now), errc::invalid_argument));
    CHECK(h.expert_of("c1") == "ada");
}

TEST_CASE("a lead places a conversation every expert declined with a named expert", "[queue][lead]") {
    harness h;
    h.expert("ada", 1);
    h.open("c1", harness::standard("u1"));
    REQUIRE(h.core.decline_offer("ada", "c1", h.now));
    CHECK(h.state("c1") == conversation_state::queued);
    auto out = h.core.reassign("c1", "ada", h.now);
    REQUIRE(out);
    CHECK(out.first<effect::assigned>()->expert == "ada");
    CHECK(h.state("c1") == conversation_state::active);
    CHECK(h.of("ada").load == 1);
    CHECK(h.core.queue_order(h.now).empty());
    h.consistent();
}

TEST_CASE("a lead reassigns an active conversation from one expert to another", "[queue][lead]") {
    harness h;
    h.expert("ada", 1);
    h.chat_with("c1", harness::standard("u1"), "ada");
    h.expert("bob", 1);
    auto out = h.core.reassign("c1", "bob", h.now);
    REQUIRE(out);
    CHECK(out.first<effect::handed_off>()->from == "ada");
    CHECK(h.expert_of("c1") == "bob");
    CHECK(h.of("ada").load == 0);
    CHECK(h.of("bob").load == 1);
    CHECK(refused_with(h.core.reassign("c1", "bob", h.now), errc::illegal_transition));
    h.consistent();
}

TEST_CASE("a lead takes an offer away from an expert and gives it to another", "[queue][lead]") {
    harness h;
    h.expert("ada", 1);
    h.open("c1", harness::standard("u1"));
    REQUIRE(h.state("c1") == conversation_state::offered);
    h.expert("bob", 1);
    auto out = h.core.reassign("c1", "bob", h.now);
    REQUIRE(out);
    CHECK(out.first<effect::offer_withdrawn>()->expert == "ada");
    CHECK(h.expert_of("c1") == "bob");
    CHECK_FALSE(h.core.timer_due(timer_kind::offer_timeout, "c1"));
    h.consistent();
}

TEST_CASE("a lead reassigning a held conversation keeps it on hold with the new expert", "[queue][lead]") {
    harness h;
    h.expert("ada", 1);
    h.chat_with("c1", harness::standard("u1"), "ada");
    REQUIRE(h.core.expert_hold("ada", "c1", h.now));
    h.expert("bob", 1);
    REQUIRE(h.core.reassign("c1", "bob", h.now));
    CHECK(h.state("c1") == conversation_state::on_hold);
    CHECK(h.expert_of("c1") == "bob");
    REQUIRE(h.core.customer_resume("c1", harness::standard("u1"), h.now));
    CHECK(h.state("c1") == conversation_state::active);
    CHECK(h.expert_of("c1") == "bob");
    h.consistent();
}

TEST_CASE("a lead cannot place a conversation with an expert who is full, offline or of another tenant",
          "[queue][lead]") {
    harness h;
    h.expert("ada", 1);
    h.chat_with("c1", harness::standard("u1"), "ada");
    h.open("c2", harness::standard("u2"));
    CHECK(refused_with(h.core.reassign("c2", "ada", h.now), errc::expert_unavailable));
    h.expert("bob", 1);
    REQUIRE(h.core.set_presence("bob", presence::offline, h.now));
    CHECK(refused_with(h.core.reassign("c1", "bob", h.now), errc::expert_unavailable));
    REQUIRE(h.core.register_expert({"zed", "globex", "Zed", 3, {}, {}}, h.now));
    CHECK(refused_with(h.core.reassign("c1", "zed", h.now), errc::unknown_expert));
    CHECK(refused_with(h.core.reassign("c1", "nobody", h.now), errc::unknown_expert));
    CHECK(h.expert_of("c1") == "ada");
}

TEST_CASE("a lead lifts a conduct restriction, and the customer may open again", "[queue][lead]") {
    harness h;
    h.expert("ada", 2);
    h.chat_with("c1", harness::standard("u1"), "ada");
    REQUIRE(h.core.report_conduct("ada", "c1", h.now));
    CHECK(refused_with(h.open("c2", harness::standard("u1")), errc::restricted));
    auto out = h.core.restrict_until("acme", "u1", std::nullopt, h.now);
    REQUIRE(out);
    CHECK(out.first<effect::restricted>()->until == h.now);
    CHECK_FALSE(h.core.restricted_until("acme", "u1"));
    CHECK(h.open("c2", harness::standard("u1")));
    CHECK(refused_with(h.core.restrict_until("acme", "u1", std::nullopt, h.now), errc::not_restricted));
}

TEST_CASE("a lead extends a conduct restriction to a later time", "[queue][lead]") {
    harness h;
    h.expert("ada", 2);
    h.chat_with("c1", harness::standard("u1"), "ada");
    REQUIRE(h.core.report_conduct("ada", "c1", h.now));
    auto later = h.now + 24h * 30;
    REQUIRE(h.core.restrict_until("acme", "u1", later, h.now));
    CHECK(h.core.restricted_until("acme", "u1") == later);
    CHECK(refused_with(h.core.restrict_until("acme", "u1", h.now - 1s, h.now), errc::invalid_argument));
    h.wait(h.core.policy().conduct_restriction + 1min);
    CHECK(refused_with(h.open("c2", harness::standard("u1")), errc::restricted));
}

TEST_CASE("a lead who joined writes in the conversation beside its expert", "[queue][lead]") {
    harness h;
    h.expert("ada", 1);
    h.chat_with("c1", harness::standard("u1"), "ada");
    CHECK(refused_with(h.core.expert_message("lena", "c1", "l0", h.now), errc::not_allowed));
    auto out = h.core.join("c1", "lena", h.now);
    REQUIRE(out);
    CHECK(out.first<effect::joined>()->lead == "lena");
    CHECK(h.core.join("c1", "lena", h.now).effects.empty()); // once is enough
    auto said = h.core.expert_message("lena", "c1", "l1", h.now);
    REQUIRE(said);
    CHECK(said.first<effect::message_added>()->seq == 2);
    CHECK(h.core.expert_message("lena", "c1", "l1", h.now).first<effect::message_repeated>());
    CHECK(h.expert_of("c1") == "ada");
    h.open("c2", harness::standard("u2"));
    CHECK(refused_with(h.core.join("c2", "lena", h.now), errc::illegal_transition));
    h.consistent();
}
