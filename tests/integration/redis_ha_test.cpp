// chatd on a Redis that fails over: a master with replicas watched by a Sentinel. With
// redis.replica_acks = 1 a master killed right after acknowledging loses nothing anyone was told.

#include "cluster_fixture.hpp"
#include "redis_process.hpp"
#include "soak_run.hpp"

#include "chat/server/redis/slot.hpp"
#include "chat/server/store/shards.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace chat::test;
using namespace std::chrono_literals;

namespace {

// A master, two replicas and a Sentinel that fails the master over a second after it dies.
struct sentinel_set {
    temp_dir dir;
    redis_process master{dir.path(), "master", {}};
    redis_process replica1{dir.path(), "replica1", {"replicaof 127.0.0.1 " + std::to_string(master.port())}};
    redis_process replica2{dir.path(), "replica2", {"replicaof 127.0.0.1 " + std::to_string(master.port())}};
    redis_process sentinel{dir.path(),
                           "sentinel",
                           {"sentinel monitor chatd 127.0.0.1 " + std::to_string(master.port()) + " 1",
                            "sentinel down-after-milliseconds chatd 1000", "sentinel failover-timeout chatd 10000",
                            "sentinel parallel-syncs chatd 2"},
                           redis_process::kind::sentinel};

    std::string url() const { return "redis-sentinel://" + sentinel.address() + "/chatd"; }
    // Where the Sentinel says the master is.
    std::string master_address() {
        auto r = sentinel.ask({"SENTINEL", "get-master-addr-by-name", "chatd"});
        return r.elements.size() == 2 ? r.elements[0].text + ':' + r.elements[1].text : "";
    }
    // The Sentinel sees both replicas, and both are in sync (not still waiting for their first copy).
    bool settled() {
        auto replicas = sentinel.ask({"SENTINEL", "replicas", "chatd"});
        if (replicas.elements.size() != 2) return false;
        for (const auto& r : replicas.elements) {
            const auto& fields = r.elements;
            for (std::size_t i = 0; i + 1 < fields.size(); i += 2)
                if (fields[i].text == "flags" && fields[i + 1].text != "slave") return false;
        }
        auto info = master.ask({"INFO", "replication"}).text;
        auto online = [&](const std::string& replica) { return info.find(replica + ",state=online") != std::string::npos; };
        return online("port=" + std::to_string(replica1.port())) && online("port=" + std::to_string(replica2.port()));
    }
};

} // namespace

TEST_CASE("a Sentinel failover under load loses nothing acknowledged when each commit waits for a replica",
          "[integration][redis-ha]") {
    sentinel_set redis;
    auto until = std::chrono::steady_clock::now() + 20s;
    while (!redis.settled() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(100ms);
    REQUIRE(redis.settled());

    cluster_fixture cluster(redis.url());
    auto conf = cluster.data_dir() / "chatd.toml";
    std::ofstream(conf) << "[redis]\nreplica_acks = 1\n";
    auto a = cluster.start({"--config", conf.string()});
    auto b = cluster.start({"--config", conf.string()});
    REQUIRE(cluster.wait_all_held_by({a->id(), b->id()}, 10s));

    soak load(cluster, {a.get(), b.get()}, "--conversations 60 --rate 150 --duration 12 --settle 25");
    std::this_thread::sleep_for(3s);
    auto old_master = redis.master.address();
    auto killed = std::chrono::steady_clock::now();
    redis.master.kill9();
    std::string now_master;
    while (std::chrono::steady_clock::now() - killed < 20s) {
        now_master = redis.master_address();
        if (!now_master.empty() && now_master != old_master) break;
        std::this_thread::sleep_for(50ms);
    }
    INFO(redis.sentinel.log());
    REQUIRE(now_master != old_master);
    std::printf("the Sentinel named a new master %lld ms after kill -9 of the old one\n",
                static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - killed).count()));

    INFO(a->output() + b->output());
    auto report = load.finish();
    all_zero(report);
    CHECK_THAT(a->output() + b->output(), Catch::Matchers::Contains("(Sentinel)"));
}

namespace {

// Three masters sharing the slots evenly, as redis-cli --cluster create would spread them.
struct redis_cluster {
    temp_dir dir;
    std::vector<std::unique_ptr<redis_process>> nodes;

    redis_cluster() {
        for (int i = 0; i < 3; ++i)
            nodes.push_back(std::make_unique<redis_process>(
                dir.path(), "node" + std::to_string(i),
                std::vector<std::string>{"cluster-enabled yes", "cluster-config-file nodes.conf", "cluster-node-timeout 1000",
                                         "cluster-require-full-coverage no"}));
        for (int i = 1; i < 3; ++i) nodes[0]->ask({"CLUSTER", "MEET", "127.0.0.1", std::to_string(nodes[i]->port())});
        for (int i = 0; i < 3; ++i)
            nodes[i]->ask({"CLUSTER", "ADDSLOTSRANGE", std::to_string(i * 16384 / 3), std::to_string((i + 1) * 16384 / 3 - 1)});
        auto until = std::chrono::steady_clock::now() + 20s;
        while (!ready() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(100ms);
        REQUIRE(ready());
    }
    bool ready() {
        for (auto& n : nodes)
            if (n->ask({"CLUSTER", "INFO"}).text.find("cluster_state:ok") == std::string::npos ||
                n->ask({"CLUSTER", "SLOTS"}).elements.size() != 3)
                return false;
        return true;
    }
    std::string url() const {
        return "redis-cluster://" + nodes[0]->address() + ',' + nodes[1]->address() + ',' + nodes[2]->address();
    }
    // The master serving `slot`, as the first node sees it.
    redis_process& owner_of(std::uint16_t slot) {
        for (const auto& r : nodes[0]->ask({"CLUSTER", "SLOTS"}).elements)
            if (r.elements[0].integer <= slot && slot <= r.elements[1].integer)
                for (auto& m : nodes)
                    if (m->port() == r.elements[2].elements[1].integer) return *m;
        FAIL("no node serves slot " << slot);
        return *nodes[0];
    }
    // Moves `slot` with its keys from its master to another, as redis-cli --cluster reshard does.
    void migrate(std::uint16_t slot, redis_process& from, redis_process& to) {
        auto s = std::to_string(slot);
        auto from_id = from.ask({"CLUSTER", "MYID"}).text, to_id = to.ask({"CLUSTER", "MYID"}).text;
        to.ask({"CLUSTER", "SETSLOT", s, "IMPORTING", from_id});
        from.ask({"CLUSTER", "SETSLOT", s, "MIGRATING", to_id});
        for (;;) {
            auto keys = from.ask({"CLUSTER", "GETKEYSINSLOT", s, "10"}).elements;
            if (keys.empty()) break;
            std::vector<std::string> migrate{"MIGRATE", "127.0.0.1", std::to_string(to.port()), "", "0", "5000", "KEYS"};
            for (const auto& k : keys) migrate.push_back(k.text);
            from.ask(migrate);
            std::this_thread::sleep_for(20ms); // the keys move while commits go on
        }
        for (auto& n : nodes) n->ask({"CLUSTER", "SETSLOT", s, "NODE", to_id});
    }
};

} // namespace

TEST_CASE("on a Redis Cluster of three masters a shard's slot moves to another master under load, losing nothing",
          "[integration][redis-cluster]") {
    redis_cluster redis;
    cluster_fixture cluster(redis.url());
    auto a = cluster.start();
    auto b = cluster.start();
    REQUIRE(cluster.wait_all_held_by({a->id(), b->id()}, 10s));
    // The shards spread over the masters: every master holds some shard's keys.
    for (auto& n : redis.nodes) CHECK(n->ask({"DBSIZE"}).integer > 0);

    soak load(cluster, {a.get(), b.get()}, "--conversations 60 --rate 150 --duration 12 --settle 25");
    std::this_thread::sleep_for(3s);
    chat::server::shard_map map;
    auto slot = chat::server::redis::key_slot(map.tag(map.shard_of("acme")));
    auto& from = redis.owner_of(slot);
    auto& to = &from == redis.nodes[0].get() ? *redis.nodes[1] : *redis.nodes[0];
    auto began = std::chrono::steady_clock::now();
    redis.migrate(slot, from, to);
    std::printf("acme's shard (slot %u) moved from %s to %s in %lld ms under load\n", slot, from.address().c_str(),
                to.address().c_str(),
                static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began).count()));
    CHECK(from.ask({"CLUSTER", "COUNTKEYSINSLOT", std::to_string(slot)}).integer == 0);
    CHECK(to.ask({"CLUSTER", "COUNTKEYSINSLOT", std::to_string(slot)}).integer > 0);

    INFO(a->output() + b->output());
    all_zero(load.finish());
}
