#include "server_fixture.hpp"

#include <catch2/catch.hpp>

#include <numeric>

using namespace chat::test;
using namespace std::chrono_literals;

namespace {

bool still_fine(ws_client& c) { return c.request({{"type", "ping"}}).value("type", "") == "pong"; }

// Asks for the history of `conversation` after `after` and returns the sequence numbers of
// every message frame that arrives before the answer, and the answer's own seq.
std::pair<std::vector<std::uint64_t>, std::uint64_t> page(ws_client& c, const std::string& conversation,
                                                          std::uint64_t after, const std::string& id) {
    c.send({{"type", "history"}, {"id", id}, {"conversation", conversation}, {"after", after}});
    std::vector<std::uint64_t> seqs;
    while (true) {
        auto j = c.wait_for([&](const nlohmann::json& f) {
            return f.value("id", "") == id || (f.value("type", "") == "message" && f.value("conversation", "") == conversation);
        });
        if (j.value("id", "") == id) return {seqs, j.value("seq", std::uint64_t{0})};
        seqs.push_back(j["seq"]);
    }
}

} // namespace

TEST_CASE("a client that stops reading is disconnected and cannot grow the server's memory", "[integration][limits]") {
    server_fixture f([](chat::server::config& c) {
        c.limits.outbound_bytes = 64 * 1024;
        c.limits.frames_per_second = c.limits.frame_burst = 1000;
        c.hub.customer_messages_per_second = c.hub.customer_message_burst = 1000;
    });
    auto alice = f.customer("alice");
    auto c = server_fixture::open(*alice, "Export", "The export to CSV stops half way");
    // The same customer on a second connection that never reads: every message goes there too.
    auto stalled = f.customer("alice");
    REQUIRE(stalled->request({{"type", "history"}, {"conversation", c}})["type"] == "ok");
    stalled->set_receive_buffer(4096);
    REQUIRE(f.server().gateway().session_count() == 2);

    int sent = 0;
    while (sent < 4000 && f.server().gateway().session_count() == 2) {
        ++sent;
        REQUIRE(server_fixture::say(*alice, c, std::string(3900, 'x'), "m" + std::to_string(sent))["type"] == "ok");
    }
    CHECK(f.server().gateway().session_count() == 1);
    // The connection was reset: the client learns it at once, with part of what was sent.
    int received = 0;
    while (auto j = stalled->next(3s))
        if (j->value("type", "") == "message") ++received;
    CAPTURE(sent, received);
    CHECK_FALSE(stalled->is_open());
    CHECK(received < sent);
    CHECK(still_fine(*alice));
    CHECK(still_fine(*f.customer("bob")));
}

TEST_CASE("a customer who sends too fast is told to slow down, on every connection, and keeps what was accepted",
          "[integration][limits]") {
    server_fixture f([](chat::server::config& c) {
        c.hub.customer_messages_per_second = 0.001;
        c.hub.customer_message_burst = 3;
    });
    auto alice = f.customer("alice");
    auto c = server_fixture::open(*alice, "Billing", "My invoice total is wrong");
    CHECK(server_fixture::say(*alice, c, "Invoice INV-2291", "m2")["type"] == "ok");
    CHECK(server_fixture::say(*alice, c, "It says 120 EUR", "m3")["type"] == "ok");
    CHECK(server_fixture::say(*alice, c, "It should be 100", "m4")["code"] == "rate_limited");
    auto again = f.customer("alice");
    CHECK(server_fixture::say(*again, c, "Hello?", "m5")["code"] == "rate_limited");
    CHECK(still_fine(*alice));

    auto [seqs, last] = page(*again, c, 0, "h");
    CHECK(seqs == std::vector<std::uint64_t>{1, 2, 3});
    CHECK(last == 3);
}

TEST_CASE("a connection that sends too many frames is told to slow down and stays open", "[integration][limits]") {
    server_fixture f([](chat::server::config& c) {
        c.limits.frames_per_second = 0.001;
        c.limits.frame_burst = 5;
    });
    auto alice = f.customer("alice"); // hello was the first frame
    for (int i = 0; i < 4; ++i) CHECK(alice->request({{"type", "ping"}})["type"] == "pong");
    CHECK(alice->request({{"type", "ping"}})["code"] == "rate_limited");
    CHECK(alice->is_open());
    CHECK(still_fine(*f.customer("bob")));
}

TEST_CASE("a history longer than one page comes in pages, with live messages neither lost nor repeated",
          "[integration][limits]") {
    server_fixture f([](chat::server::config& c) {
        c.hub.history_page = 5;
        c.hub.customer_messages_per_second = c.hub.customer_message_burst = 1000;
    });
    auto alice = f.customer("alice");
    auto c = server_fixture::open(*alice, "Billing", "My invoice total is wrong");
    for (int i = 2; i <= 12; ++i)
        REQUIRE(server_fixture::say(*alice, c, "line " + std::to_string(i), "m" + std::to_string(i))["type"] == "ok");

    auto reader = f.customer("alice");
    std::vector<std::uint64_t> got;
    auto [first, at5] = page(*reader, c, 0, "p1");
    CHECK(at5 == 5);
    got.insert(got.end(), first.begin(), first.end());
    // A live message while the reader is still paging waits for its page.
    REQUIRE(server_fixture::say(*alice, c, "line 13", "m13")["type"] == "ok");
    auto [second, at10] = page(*reader, c, at5, "p2");
    CHECK(at10 == 10);
    got.insert(got.end(), second.begin(), second.end());
    auto [third, at13] = page(*reader, c, at10, "p3");
    CHECK(at13 == 13);
    got.insert(got.end(), third.begin(), third.end());
    // Once the history is complete, live messages flow again.
    REQUIRE(server_fixture::say(*alice, c, "line 14", "m14")["type"] == "ok");
    got.push_back(reader->wait_for("message", c)["seq"]);
    CHECK_FALSE(reader->saw([](const nlohmann::json& j) { return j.value("type", "") == "message"; }));

    std::vector<std::uint64_t> all(14);
    std::iota(all.begin(), all.end(), 1);
    CHECK(got == all);
}
