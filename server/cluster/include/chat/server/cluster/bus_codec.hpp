#pragma once
// The byte form of what nodes tell each other over Redis Pub/Sub: a sequence of fields, each
// its length in decimal, ':' and its bytes. Binary-safe and cheap to read; a message that does
// not parse is dropped (and counted) rather than trusted.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chat::server::cluster {

class bus_writer {
public:
    bus_writer& add(std::string_view field);
    bus_writer& add(std::uint64_t number) { return add(std::string_view(std::to_string(number))); }
    const std::string& text() const { return out_; }
    std::string take() { return std::move(out_); }
    bool empty() const { return out_.empty(); }

private:
    std::string out_;
};

class bus_reader {
public:
    explicit bus_reader(std::string_view in) : in_(in) {}
    // The next field, or nothing at the end or when the input is malformed (then `broken()`).
    std::optional<std::string_view> next();
    std::optional<std::uint64_t> number();
    bool done() const { return in_.empty(); }
    bool broken() const { return broken_; }

private:
    std::string_view in_;
    bool broken_ = false;
};

} // namespace chat::server::cluster
