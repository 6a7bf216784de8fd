// Several chatd nodes on one Redis: any node serves any client, each shard has one owner, and a
// node that dies leaves the others carrying every conversation with nothing acknowledged lost.

#include "cluster_fixture.hpp"
#include "soak_run.hpp"

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

namespace {

std::string busiest(cluster_fixture& cluster) {
    std::string most;
    int count = -1;
    for (const auto& [node, n] : cluster.shards_by_node())
        if (!node.empty() && n > count) most = node, count = n;
    return most;
}

} // namespace

TEST_CASE("two nodes carry 100 conversations through a kill -9 of the node that owns most shards", "[integration][cluster]") {
    cluster_fixture cluster;
    auto a = cluster.start();
    auto b = cluster.start();
    REQUIRE(cluster.wait_all_held_by({a->id(), b->id()}, 10s));
    soak load(cluster, {a.get(), b.get()}, "--conversations 100 --rate 200 --duration 9 --settle 20");
    std::this_thread::sleep_for(3s);
    auto victim = busiest(cluster);
    auto& dead = victim == a->id() ? a : b;
    auto& alive = victim == a->id() ? b : a;
    dead->kill9();
    auto took = cluster.wait_all_held_by({alive->id()}, 10s);
    REQUIRE(took);
    std::printf("takeover of every shard after kill -9 of %s: %lld ms\n", victim.c_str(), static_cast<long long>(took->count()));
    CHECK(*took < 5s);
    // It comes back and gets its share again while the load goes on.
    std::this_thread::sleep_for(2s);
    auto back = cluster.start({}, 0);
    all_zero(load.finish());
}

TEST_CASE("a paused owner wakes up fenced: it writes nothing more, and nothing is lost or stored twice", "[integration][cluster]") {
    cluster_fixture cluster;
    auto a = cluster.start();
    auto b = cluster.start();
    REQUIRE(cluster.wait_all_held_by({a->id(), b->id()}, 10s));
    soak load(cluster, {a.get(), b.get()}, "--conversations 50 --rate 100 --duration 10 --settle 20");
    std::this_thread::sleep_for(2s);
    auto owner = cluster.owner_of();
    auto& zombie = owner == a->id() ? a : b;
    auto& other = owner == a->id() ? b : a;
    zombie->pause(); // past the lease's TTL: the other node takes its shards
    auto took = cluster.wait_for_owner(owner, 10s);
    CHECK(took == other->id());
    std::this_thread::sleep_for(1s);
    zombie->resume();
    all_zero(load.finish());
    INFO(zombie->output());
    CHECK_THAT(zombie->output(), Catch::Matchers::Contains("is no longer this node's"));
}

TEST_CASE("three nodes stopped and started again one after the other hand their shards over", "[integration][cluster]") {
    cluster_fixture cluster;
    std::vector<std::unique_ptr<chatd_node>> nodes;
    for (int i = 0; i < 3; ++i) nodes.push_back(cluster.start());
    REQUIRE(cluster.wait_all_held_by({nodes[0]->id(), nodes[1]->id(), nodes[2]->id()}, 10s));
    std::vector<unsigned short> ports;
    for (auto& n : nodes) ports.push_back(n->port());
    soak load(cluster, {nodes[0].get(), nodes[1].get(), nodes[2].get()},
              "--conversations 60 --rate 120 --duration 14 --settle 20");
    std::this_thread::sleep_for(2s);
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        std::set<std::string> others;
        for (std::size_t j = 0; j < nodes.size(); ++j)
            if (j != i) others.insert(nodes[j]->id());
        auto stopping = std::chrono::steady_clock::now();
        CHECK(nodes[i]->terminate() == 0);
        auto stopped = std::chrono::steady_clock::now() - stopping;
        auto held = cluster.wait_all_held_by(others, 10s);
        REQUIRE(held);
        std::printf("SIGTERM of node %zu: exited in %lld ms, every shard held by the others %lld ms later\n", i + 1,
                    static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(stopped).count()),
                    static_cast<long long>(held->count()));
        // Planned: handed over, not waited for (a shard waited for sits out its 3 s lease). Tens
        // of milliseconds on an idle machine; the bound leaves room for a loaded one.
        CHECK(*held < 2500ms);
        auto id = nodes[i]->id();
        nodes[i] = cluster.start({}, ports[i], id);
        std::this_thread::sleep_for(1s);
    }
    all_zero(load.finish());
}

TEST_CASE("the clients of a node that owns nothing are back on another node within 2 s of its kill -9", "[integration][cluster]") {
    cluster_fixture cluster;
    auto a = cluster.start();
    REQUIRE(cluster.wait_all_held_by({a->id()}, 10s));
    // Before it has settled, a new node owns nothing: it only serves its clients.
    auto b = cluster.start();
    REQUIRE(cluster.shards_by_node()[b->id()] == 0);
    auto ada = cluster.connect(b->port(), role::expert, "ada");
    ada->request({{"type", "presence"}, {"presence", "available"}});
    auto alice = cluster.connect(b->port(), role::customer, "alice");
    auto open = alice->request({{"type", "open"}, {"topic", "billing"}, {"text", "my invoice is wrong"}, {"client_id", "o1"}});
    REQUIRE(open["type"] == "ok");
    std::string c = open["conversation"];
    ada->wait_for("offered", c);
    REQUIRE(ada->request({{"type", "accept"}, {"conversation", c}})["type"] == "ok");
    b->kill9();
    auto killed = std::chrono::steady_clock::now();
    alice = cluster.connect(a->port(), role::customer, "alice");
    ada = cluster.connect(a->port(), role::expert, "ada");
    auto back = std::chrono::steady_clock::now() - killed;
    std::printf("clients of a killed gateway back on another node in %lld ms\n",
                static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(back).count()));
    CHECK(back < 2s);
    CHECK(alice->request({{"type", "send"}, {"conversation", c}, {"text", "still there?"}, {"client_id", "m2"}})["seq"] == 2);
    auto replay = ada->request({{"type", "history"}, {"conversation", c}, {"after", 0}});
    CHECK(replay["seq"] == 2);
}
