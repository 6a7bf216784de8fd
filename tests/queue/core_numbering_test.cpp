// The core numbers every message and tells a retried one from a new one by its client id.

#include "core_harness.hpp"

using namespace chat::test;

namespace {

opening with_id(const std::string& id, const customer& who, const std::string& text, const std::string& client_id) {
    opening o{id, who, "", text, default_severity, {}, std::nullopt, client_id, "", "e-" + id};
    return o;
}

std::uint64_t added_seq(const outcome& out) {
    auto added = out.first<effect::message_added>();
    REQUIRE(added);
    return added->seq;
}

} // namespace

TEST_CASE("the opening text is message 1 and each message after it takes the next number", "[queue][numbering]") {
    harness h;
    h.expert("ada");
    auto u1 = harness::standard("u1");
    CHECK(added_seq(h.core.open(with_id("c1", u1, "my invoices will not export", "m1"), h.now)) == 1u);
    REQUIRE(h.core.accept_offer("ada", "c1", h.now));
    CHECK(added_seq(h.core.expert_message("ada", "c1", "x1", h.now)) == 2u);
    CHECK(added_seq(h.core.customer_message("c1", u1, "thanks", "m2", h.now)) == 3u);
    CHECK(h.core.find("c1")->messages.last_seq() == 3u);
    CHECK(h.core.find("c1")->epoch == "e-c1");
}

TEST_CASE("a retried send is recognised by its client id and numbered once", "[queue][numbering]") {
    harness h;
    h.expert("ada");
    auto u1 = harness::standard("u1");
    h.core.open(with_id("c1", u1, "my invoices will not export", "m1"), h.now);
    REQUIRE(h.core.accept_offer("ada", "c1", h.now));
    auto first = h.core.customer_message("c1", u1, "hello?", "m2", h.now);
    REQUIRE(added_seq(first) == 2u);
    h.now += 5s;
    auto again = h.core.customer_message("c1", u1, "hello?", "m2", h.now);
    REQUIRE(again);
    auto repeated = again.first<effect::message_repeated>();
    REQUIRE(repeated);
    CHECK(repeated->seq == 2u);
    CHECK(repeated->at == h.now - 5s); // the first one's time, which the sender shows
    CHECK_FALSE(again.first<effect::message_added>());
    CHECK(again.changed_conversations.empty());
    CHECK(h.core.find("c1")->messages.last_seq() == 2u);
}

TEST_CASE("a retried open gets the conversation it already made", "[queue][numbering]") {
    harness h;
    auto u1 = harness::standard("u1");
    REQUIRE(h.core.open(with_id("c1", u1, "my invoices will not export", "m1"), h.now));
    auto again = h.core.open(with_id("c2", u1, "my invoices will not export", "m1"), h.now);
    REQUIRE(again);
    CHECK(again.conversation == "c1");
    REQUIRE(again.first<effect::message_repeated>());
    CHECK_FALSE(h.core.find("c2"));
}

TEST_CASE("the opening text of a duplicate continues the kept conversation's numbering", "[queue][numbering]") {
    harness h;
    auto u1 = harness::standard("u1");
    h.core.open(with_id("c1", u1, "I can't export my invoices to PDF", "m1"), h.now);
    auto out = h.core.open(with_id("c2", u1, "Exporting invoices to PDF fails", "m2"), h.now);
    auto added = out.first<effect::message_added>();
    REQUIRE(added);
    CHECK(added->conversation == "c1");
    CHECK(added->seq == 2u);
}

TEST_CASE("a message alone does not make the record worth storing again", "[queue][numbering]") {
    harness h;
    h.expert("ada");
    auto u1 = harness::standard("u1");
    h.chat_with("c1", u1, "ada");
    h.core.expert_message("ada", "c1", "x1", h.now); // the first response changes the record
    auto out = h.core.customer_message("c1", u1, "and another thing", "m9", h.now);
    REQUIRE(out.first<effect::message_added>());
    CHECK(out.changed_conversations.empty());
}

TEST_CASE("after a restore a new client id waits until the stream's tail is learnt", "[queue][numbering]") {
    harness h;
    h.expert("ada");
    auto u1 = harness::standard("u1");
    h.chat_with("c1", u1, "ada");
    core_state state{{*h.core.find("c1")}, {*h.core.find_expert("ada")}, {}, {}, {}, {}};
    // As the store reads it back: the record's numbering, behind the stream.
    state.conversations[0].messages = message_numbering::restored(1, {}, false);
    state.conversations[0].messages.caught_up({"m7", 7, h.now, 0});
    h.core.restore(std::move(state));

    CHECK(refused_with(h.core.customer_message("c1", u1, "is it me?", "m5", h.now), errc::recent_ids_unknown));
    CHECK(h.core.customer_message("c1", u1, "last one again", "m7", h.now).first<effect::message_repeated>());
    CHECK(h.core.unlearnt_recent_ids(u1) == std::vector<conversation_id>{"c1"});
    h.core.learn_recent("c1", {{"m7", 7, h.now, 0}, {"m5", 5, h.now, 0}});
    CHECK(h.core.unlearnt_recent_ids(u1).empty());
    CHECK(h.core.customer_message("c1", u1, "is it me?", "m5", h.now).first<effect::message_repeated>()->seq == 5u);
    CHECK(added_seq(h.core.customer_message("c1", u1, "new", "m8", h.now)) == 8u);
}

TEST_CASE("another customer's retry of a client id learns nothing", "[queue][numbering]") {
    harness h;
    auto u1 = harness::standard("u1");
    h.core.open(with_id("c1", u1, "my invoices will not export", "m1"), h.now);
    auto out = h.core.customer_message("c1", harness::standard("u2"), "hi", "m1", h.now);
    CHECK(refused_with(out, errc::not_allowed));
    CHECK_FALSE(out.first<effect::message_repeated>());
}
