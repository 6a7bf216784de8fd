#include "chat/server/cluster/bus_codec.hpp"

#include <charconv>

namespace chat::server::cluster {

bus_writer& bus_writer::add(std::string_view field) {
    out_ += std::to_string(field.size());
    out_ += ':';
    out_.append(field.data(), field.size());
    return *this;
}

std::optional<std::string_view> bus_reader::next() {
    if (in_.empty() || broken_) return std::nullopt;
    auto colon = in_.find(':');
    std::size_t length = 0;
    auto [end, ec] = std::from_chars(in_.data(), in_.data() + (colon == std::string_view::npos ? 0 : colon), length);
    if (colon == std::string_view::npos || colon == 0 || ec != std::errc() || end != in_.data() + colon ||
        length > in_.size() - colon - 1) {
        broken_ = true;
        return std::nullopt;
    }
    auto field = in_.substr(colon + 1, length);
    in_.remove_prefix(colon + 1 + length);
    return field;
}

std::optional<std::uint64_t> bus_reader::number() {
    auto f = next();
    if (!f) return std::nullopt;
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(f->data(), f->data() + f->size(), v);
    if (ec != std::errc() || end != f->data() + f->size()) {
        broken_ = true;
        return std::nullopt;
    }
    return v;
}

} // namespace chat::server::cluster
