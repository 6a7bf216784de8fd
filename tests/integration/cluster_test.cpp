// Several chatd nodes on one Redis: any node serves any client, each shard has one owner, and a
// node that dies leaves the others carrying every conversation with nothing acknowledged lost.

#include "cluster_fixture.hpp"

#include <catch2/catch.hpp>

using namespace chat::test;
using namespace std::chrono_literals;
using chat::protocol::role;

namespace {

std::vector<std::uint64_t> seqs(const std::vector<nlohmann::json>& frames) {
    std::vector<std::uint64_t> out;
    for (const auto& f : frames) out.push_back(f["seq"]);
    return out;
}

// Every message frame of `conversation` that arrives within `quiet` of the last one.
std::vector<nlohmann::json> messages(ws_client& c, const std::string& conversation, std::chrono::milliseconds quiet = 500ms) {
    std::vector<nlohmann::json> got;
    while (auto f = c.next(quiet))
        if (f->value("type", "") == "message" && f->value("conversation", "") == conversation) got.push_back(*f);
    return got;
}

} // namespace

TEST_CASE("two chatd on the same Redis serve one conversation together, and either can die", "[integration][cluster]") {
    cluster_fixture cluster;
    auto a = cluster.start();
    auto b = cluster.start();
    INFO(a->output() + b->output());
    // The customer is on one node, the expert on the other; neither needs to know who owns what.
    auto ada = cluster.connect(b->port(), role::expert, "ada");
    ada->request({{"type", "presence"}, {"presence", "available"}});
    auto alice = cluster.connect(a->port(), role::customer, "alice");
    auto open = alice->request({{"type", "open"}, {"topic", "billing"}, {"text", "my invoice is wrong"}, {"client_id", "o1"}});
    REQUIRE(open["type"] == "ok");
    std::string c = open["conversation"];
    ada->wait_for("offered", c);
    REQUIRE(ada->request({{"type", "accept"}, {"conversation", c}})["type"] == "ok");
    CHECK(alice->request({{"type", "send"}, {"conversation", c}, {"text", "hello?"}, {"client_id", "m2"}})["seq"] == 2);
    CHECK(ada->request({{"type", "send"}, {"conversation", c}, {"text", "hi Alice"}, {"client_id", "x3"}})["seq"] == 3);
    auto to_ada = messages(*ada, c);
    CHECK(seqs(to_ada) == std::vector<std::uint64_t>{2}); // 1 came with the offer's history; 3 is Ada's own
    auto to_alice = messages(*alice, c);
    CHECK(seqs(to_alice) == std::vector<std::uint64_t>{1, 3});

    // The node that owns acme's shard dies; the other takes it within 5 s and carries on.
    auto owner = cluster.owner_of();
    REQUIRE((owner == a->id() || owner == b->id()));
    auto& dead = owner == a->id() ? a : b;
    auto& alive = owner == a->id() ? b : a;
    auto killed = std::chrono::steady_clock::now();
    dead->kill9();
    auto new_owner = cluster.wait_for_owner(owner, 10s);
    auto takeover = std::chrono::steady_clock::now() - killed;
    std::printf("takeover after kill -9 of the owner: %lld ms\n",
                static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(takeover).count()));
    CHECK(new_owner == alive->id());
    CHECK(takeover < 5s);

    // Whoever was connected to the dead node reconnects to the living one, and resumes by seq.
    if (dead.get() == a.get()) alice = cluster.connect(alive->port(), role::customer, "alice");
    else ada = cluster.connect(alive->port(), role::expert, "ada");
    auto resumed = alice->request({{"type", "history"}, {"conversation", c}, {"after", 3}});
    CHECK(resumed["type"] == "ok");
    auto sent = [&](ws_client& who, const std::string& text, const std::string& id) {
        // A takeover may still be settling: a request answered unavailable is sent again, as clients do.
        for (int i = 0; i < 50; ++i) {
            auto r = who.request({{"type", "send"}, {"conversation", c}, {"text", text}, {"client_id", id}});
            if (r["type"] == "ok") return r["seq"].get<std::uint64_t>();
            std::this_thread::sleep_for(100ms);
        }
        return std::uint64_t{0};
    };
    CHECK(sent(*alice, "still there?", "m4") == 4);
    CHECK(sent(*ada, "yes, still here", "x5") == 5);
    CHECK(sent(*alice, "still there?", "m4") == 4); // a retry is stored once
    auto replay = alice->request({{"type", "history"}, {"conversation", c}, {"after", 0}});
    CHECK(replay["seq"] == 5);
}
