#include "core_harness.hpp"

using namespace chat::test;
using std::chrono::sys_days;
using std::chrono::year;

TEST_CASE("a first response within the target meets the SLA", "[queue][sla]") {
    harness h;
    auto u1 = harness::enterprise("u1");
    h.expert("ada");
    h.chat_with("c1", u1, "ada");
    h.wait(90s);
    auto out = h.core.expert_message("ada", "c1", "", h.now);
    auto fr = out.first<effect::first_response>();
    REQUIRE(fr);
    CHECK(fr->elapsed == 90s);
    CHECK(fr->within_target);
    CHECK_FALSE(h.core.find("c1")->sla.breached);
}

TEST_CASE("an unanswered Enterprise conversation breaches after two minutes", "[queue][sla]") {
    harness h;
    h.open("c1", harness::enterprise("u1"));
    h.wait(119s);
    CHECK_FALSE(h.core.find("c1")->sla.breached);
    auto out = h.wait(1s);
    CHECK(out.first<effect::sla_breached>()->target == response_target::wall_clock(2min));
    CHECK(out.first<effect::sla_breached>()->clock == response_clock::first_response);
    CHECK(h.core.find("c1")->sla.breached);
}

TEST_CASE("the SLA clock pauses on hold", "[queue][sla]") {
    harness h;
    auto u1 = harness::enterprise("u1");
    h.expert("ada");
    h.chat_with("c1", u1, "ada");
    h.wait(1min);
    h.core.customer_hold("c1", u1, h.now);
    h.wait(1h);
    h.core.customer_resume("c1", u1, h.now);
    h.wait(30s);
    auto fr = h.core.expert_message("ada", "c1", "", h.now).first<effect::first_response>();
    CHECK(fr->elapsed == 90s);
    CHECK(fr->within_target);
}

TEST_CASE("Standard SLA time counts business hours only", "[queue][sla]") {
    harness h;
    h.now = sys_days{year{2026} / 1 / 9} + 16h + 58min; // Friday 16:58
    h.open("c1", harness::standard("u1"));
    h.wait(62h); // Monday 06:58
    CHECK_FALSE(h.core.find("c1")->sla.breached);
    h.wait(1h + 2min); // Monday 08:00: 2 + 0 minutes counted
    CHECK_FALSE(h.core.find("c1")->sla.breached);
    h.wait(3min);
    CHECK(h.core.find("c1")->sla.breached);
}

TEST_CASE("severity sets its own first-response target", "[queue][sla]") {
    policy p;
    p.tiers[0].first_response_target = {30s, 1min, 2min, 5min};
    harness h(p);
    h.open("critical", harness::enterprise("u1"), "", 1);
    h.open("low", harness::enterprise("u2"), "", 4);
    h.wait(30s);
    CHECK(h.core.find("critical")->sla.breached);
    CHECK_FALSE(h.core.find("low")->sla.breached);
}

TEST_CASE("queued customers know their position and an estimated wait", "[queue][position]") {
    harness h;
    h.expert("ada", 1);
    h.chat_with("busy", harness::standard("u0"), "ada");
    h.wait(1s); // a quiet interval: the next event reports positions at once
    auto q1 = h.open("c1", harness::standard("u1")).first<effect::queued>();
    REQUIRE(q1);
    CHECK(q1->position == 1);
    CHECK(q1->estimated_wait == 10min); // one ahead of a single slot at the initial 10-minute handle time
    h.wait(1s);
    auto q2 = h.open("c2", harness::standard("u2")).first<effect::queued>();
    REQUIRE(q2);
    CHECK(q2->position == 2);
    CHECK(q2->estimated_wait == 20min);

    SECTION("an Enterprise arrival moves the Standard ones down") {
        h.wait(1s);
        auto out = h.open("e1", harness::enterprise("u3"));
        auto moves = out.all<effect::queued>();
        REQUIRE(moves.size() == 3);
        CHECK(moves[0].conversation == "e1");
        CHECK(moves[0].position == 1);
        CHECK(moves[1].position == 2);
        CHECK(moves[2].position == 3);
    }
    SECTION("more staff shortens the estimate") {
        h.expert("bob", 1);
        CHECK(h.state("c1") == conversation_state::offered);
        h.open("c3", harness::standard("u4"));
        auto moves = h.wait(1s).all<effect::queued>(); // the pass held back within the second
        auto c3 = std::find_if(moves.begin(), moves.end(), [](auto& q) { return q.conversation == "c3"; });
        REQUIRE(c3 != moves.end());
        CHECK(c3->position == 2);
        CHECK(c3->estimated_wait == 10min); // two waiting, two slots busy: one handle time
    }
}

TEST_CASE("in a burst of arrivals positions come once a second, each customer's latest", "[queue][position]") {
    harness h;
    CHECK(h.open("c1", harness::standard("u1")).first<effect::queued>()); // after a quiet interval: at once
    auto second = h.open("c2", harness::standard("u2"));
    auto vip = h.open("e1", harness::enterprise("u3"));
    CHECK_FALSE(second.first<effect::queued>());
    CHECK_FALSE(vip.first<effect::queued>());
    CHECK(h.core.next_deadline() == h.now + 1s);

    auto moves = h.wait(1s).all<effect::queued>();
    REQUIRE(moves.size() == 3);
    CHECK(moves[0].conversation == "e1");
    CHECK(moves[0].position == 1);
    CHECK(moves[1].conversation == "c1");
    CHECK(moves[1].position == 2);
    CHECK(moves[2].conversation == "c2");
    CHECK(moves[2].position == 3);
    CHECK(h.core.next_deadline() != h.now + 1s); // nothing held back any more
}

TEST_CASE("with no position interval every arrival reports positions at once", "[queue][position]") {
    policy p;
    p.position_interval = 0s;
    harness h(p);
    h.open("c1", harness::standard("u1"));
    auto q = h.open("c2", harness::standard("u2")).first<effect::queued>();
    REQUIRE(q);
    CHECK(q->position == 2);
}

TEST_CASE("with nobody available the estimated wait is unknown", "[queue][position]") {
    harness h;
    auto q = h.open("c1", harness::standard("u1")).first<effect::queued>();
    REQUIRE(q);
    CHECK_FALSE(q->estimated_wait);
}

TEST_CASE("a waiting conversation whose estimated wait passes its first-response deadline is predicted to breach, once",
          "[queue][sla][position]") {
    harness h; // Enterprise: 2 minutes; 10 minutes assumed per conversation
    h.expert("ada", 1);
    h.chat_with("c1", harness::enterprise("u1"), "ada");
    auto out = h.open("c2", harness::enterprise("u2"));
    auto predicted = out.first<effect::sla_predicted>();
    REQUIRE(predicted);
    CHECK(predicted->conversation == "c2");
    CHECK(predicted->due == h.now + 2min);
    CHECK(predicted->estimated_wait == 10min);
    CHECK(h.core.find("c2")->sla.predicted);
    CHECK(h.core.estimated_wait("c2") == 10min);
    h.open("c3", harness::enterprise("u3"));
    for (const auto& again : h.wait(1s).all<effect::sla_predicted>())
        CHECK(again.conversation == "c3"); // c2's estimate moved, but it was predicted already
    h.consistent();
}

TEST_CASE("a conversation the estimate reaches within its deadline is not predicted to breach", "[queue][sla][position]") {
    policy p;
    p.initial_handle_time = 1min;
    harness h(p);
    h.expert("ada", 1);
    h.chat_with("c1", harness::enterprise("u1"), "ada");
    CHECK_FALSE(h.open("c2", harness::enterprise("u2")).first<effect::sla_predicted>());
    CHECK_FALSE(h.core.find("c2")->sla.predicted);
}

TEST_CASE("with nobody available a waiting conversation is predicted to breach without an estimate", "[queue][sla][position]") {
    harness h;
    auto predicted = h.open("c1", harness::enterprise("u1")).first<effect::sla_predicted>();
    REQUIRE(predicted);
    CHECK_FALSE(predicted->estimated_wait);
}
