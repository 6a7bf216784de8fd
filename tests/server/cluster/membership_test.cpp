// Who is alive, and who should own what, as every node computes it.

#include "chat/server/cluster/bus_codec.hpp"
#include "chat/server/cluster/membership.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace chat::server::cluster;
using namespace std::chrono_literals;

namespace {
const membership::clock::time_point t0 = membership::clock::time_point{} + 1h;
}

TEST_CASE("a node not heard for the silence is gone, and one that says it leaves is gone at once", "[cluster][membership]") {
    membership m(3s);
    CHECK(m.heard("a", "1", t0));
    CHECK(m.heard("b", "1", t0));
    CHECK_FALSE(m.heard("a", "1", t0 + 500ms));
    CHECK(m.alive(t0 + 2s) == std::vector<std::string>{"a", "b"});
    m.heard("a", "1", t0 + 3s);
    CHECK(m.alive(t0 + 3500ms) == std::vector<std::string>{"a"});
    CHECK(m.drop_silent(t0 + 3500ms) == std::vector<std::string>{"b"});
    m.leaving("a");
    CHECK(m.alive(t0 + 3500ms).empty());
}

TEST_CASE("a node restarted under the same id is a new incarnation", "[cluster][membership]") {
    membership m(3s);
    m.heard("a", "1", t0);
    CHECK(m.heard("a", "2", t0 + 1s));
    CHECK(m.incarnation_of("a") == "2");
    CHECK(m.alive_since("a") == t0 + 1s);
}

TEST_CASE("every node ranks the same nodes the same way for a shard, and shards spread", "[cluster][placement]") {
    std::vector<std::string> nodes{"n1", "n2", "n3"};
    std::vector<std::string> reversed{"n3", "n2", "n1"};
    std::map<std::string, int> preferred;
    for (std::uint32_t s = 0; s < 64; ++s) {
        auto r = ranking(nodes, s);
        CHECK(r == ranking(reversed, s));
        ++preferred[r.front()];
    }
    for (const auto& [node, count] : preferred) CHECK(count >= 10); // 64 over 3: about 21 each
    // A node leaving moves only its own shards.
    for (std::uint32_t s = 0; s < 64; ++s) {
        auto before = ranking(nodes, s).front();
        if (before != "n3") CHECK(ranking({"n1", "n2"}, s).front() == before);
    }
}

TEST_CASE("bus fields come back as written, binary and all, and a broken one is refused", "[cluster][bus]") {
    bus_writer w;
    std::string binary("a\0b:c", 5);
    w.add("F").add(binary).add(42).add("");
    bus_reader r(w.text());
    CHECK(r.next() == "F");
    CHECK(r.next() == binary);
    CHECK(r.number() == 42u);
    CHECK(r.next() == "");
    CHECK(r.done());
    bus_reader bad("5:ab");
    CHECK_FALSE(bad.next());
    CHECK(bad.broken());
    bus_reader worse("x:ab");
    CHECK_FALSE(worse.next());
    CHECK(worse.broken());
}
