#include "loadgen/histogram.hpp"

#include <catch2/catch.hpp>

using chat::loadgen::histogram;

TEST_CASE("the load generator's histogram keeps small latencies exact", "[tools][loadgen]") {
    histogram h;
    for (std::uint64_t v = 1; v <= 100; ++v) h.add(v);
    CHECK(h.count() == 100);
    CHECK(h.quantile(0.5) == 50);
    CHECK(h.quantile(0.99) == 99);
    CHECK(h.quantile(1.0) == 100);
    CHECK(h.max() == 100);
    CHECK(h.mean() == Approx(50.5));
}

TEST_CASE("the load generator's histogram places large latencies within one percent", "[tools][loadgen]") {
    histogram h;
    for (std::uint64_t v = 1000; v < 1000000; v += 7) h.add(v);
    auto near = [](std::uint64_t got, double want) { return std::abs(static_cast<double>(got) - want) <= want * 0.01; };
    CHECK(near(h.quantile(0.5), 500500));
    CHECK(near(h.quantile(0.9), 900100));
    CHECK(near(h.quantile(0.999), 999000));
    CHECK(h.quantile(1.0) <= h.max());
    histogram other;
    other.add(5000000);
    h.merge(other);
    CHECK(h.max() == 5000000);
    CHECK(h.quantile(1.0) == 5000000);
}

TEST_CASE("an empty histogram answers zero", "[tools][loadgen]") {
    histogram h;
    CHECK(h.quantile(0.5) == 0);
    CHECK(h.mean() == 0);
}
