#pragma once
// A latency histogram in microseconds: log-linear buckets (under 1% error), fixed memory,
// any number of samples.

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>

namespace chat::loadgen {

class histogram {
public:
    void add(std::uint64_t micros) {
        ++counts_[bucket_of(micros)];
        ++count_;
        sum_ += micros;
        max_ = std::max(max_, micros);
    }
    void merge(const histogram& o) {
        for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += o.counts_[i];
        count_ += o.count_;
        sum_ += o.sum_;
        max_ = std::max(max_, o.max_);
    }
    std::uint64_t count() const { return count_; }
    std::uint64_t max() const { return max_; }
    double mean() const { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0; }
    // The smallest bucket bound with at least a share `q` (0..1) of the samples at or below it.
    std::uint64_t quantile(double q) const {
        if (!count_) return 0;
        auto rank = static_cast<std::uint64_t>(q * static_cast<double>(count_) + 0.5);
        rank = std::clamp<std::uint64_t>(rank, 1, count_);
        std::uint64_t seen = 0;
        for (std::size_t i = 0; i < counts_.size(); ++i) {
            seen += counts_[i];
            if (seen >= rank) return std::min(upper_of(i), max_);
        }
        return max_;
    }

private:
    // Below 2^top_bits values are exact; above, a value keeps its top `top_bits` bits.
    static constexpr unsigned top_bits = 8;
    static constexpr unsigned max_width = 40; // 2^40 µs: twelve days
    static constexpr std::size_t exact = std::size_t{1} << top_bits;
    static constexpr std::size_t half = exact / 2;

    static std::size_t bucket_of(std::uint64_t v) {
        if (v < exact) return v;
        auto width = std::min<unsigned>(static_cast<unsigned>(std::bit_width(v)), max_width);
        v = std::min<std::uint64_t>(v, (std::uint64_t{1} << max_width) - 1);
        auto shift = width - top_bits;
        auto top = static_cast<std::size_t>(v >> shift); // in [half, exact)
        return exact + (width - top_bits - 1) * half + (top - half);
    }
    static std::uint64_t upper_of(std::size_t bucket) {
        if (bucket < exact) return bucket;
        auto shift = (bucket - exact) / half + 1;
        auto top = (bucket - exact) % half + half;
        return ((static_cast<std::uint64_t>(top) + 1) << shift) - 1;
    }

    std::array<std::uint64_t, exact + (max_width - top_bits) * half> counts_{};
    std::uint64_t count_ = 0, sum_ = 0, max_ = 0;
};

} // namespace chat::loadgen
