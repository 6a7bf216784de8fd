#include "chat/server/files/metadata_stripper.hpp"

#include <algorithm>

namespace chat::server::files {
namespace {

constexpr std::string_view png_signature{"\x89PNG\r\n\x1a\n", 8};

std::uint32_t byte(const std::string& s, std::size_t i) { return static_cast<unsigned char>(s[i]); }

std::uint32_t big_endian32(const std::string& s, std::size_t at) {
    return byte(s, at) << 24 | byte(s, at + 1) << 16 | byte(s, at + 2) << 8 | byte(s, at + 3);
}

// Markers without a length: TEM, RSTn, SOI, EOI.
bool standalone(std::uint32_t marker) { return marker == 0x01 || (marker >= 0xD0 && marker <= 0xD9); }

constexpr std::uint32_t start_of_scan = 0xDA, app1 = 0xE1;

} // namespace

void metadata_stripper::feed(std::string_view in, std::string& out) {
    std::size_t i = 0;
    auto gather = [&](std::size_t want) {
        auto n = std::min(want - pending_.size(), in.size() - i);
        pending_.append(in.substr(i, n));
        i += n;
        return pending_.size() == want;
    };
    while (i < in.size()) {
        switch (state_) {
        case state::head:
            if (gather(8)) decide(out);
            break;
        case state::jpeg_marker:
            if (gather(2)) on_jpeg_marker(out);
            break;
        case state::jpeg_length:
            if (gather(4)) on_jpeg_length(out);
            break;
        case state::png_chunk:
            if (gather(8)) on_png_chunk(out);
            break;
        case state::body: {
            auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left_, in.size() - i));
            if (keep_) out.append(in.substr(i, n));
            else removed_ += n;
            left_ -= n;
            i += n;
            if (left_ == 0) state_ = after_body_;
            break;
        }
        case state::rest:
            out.append(in.substr(i));
            i = in.size();
            break;
        }
    }
}

void metadata_stripper::finish(std::string& out) {
    out += pending_;
    pending_.clear();
}

void metadata_stripper::decide(std::string& out) {
    if (pending_.compare(0, 3, "\xFF\xD8\xFF") == 0) {
        out.append(pending_, 0, 2); // SOI; the next marker is gathered again
        pending_.erase(0, 2);
        state_ = state::jpeg_marker;
        if (pending_.size() >= 2) {
            // Six bytes are here already: the marker, and maybe its length.
            std::string rest = std::move(pending_);
            pending_.clear();
            feed(rest, out);
        }
        return;
    }
    if (pending_ == png_signature) {
        out += pending_;
        pending_.clear();
        state_ = state::png_chunk;
        return;
    }
    pass_rest(out);
}

void metadata_stripper::on_jpeg_marker(std::string& out) {
    if (byte(pending_, 0) != 0xFF) return pass_rest(out); // not a marker: not a JPEG we understand
    auto marker = byte(pending_, 1);
    if (marker == 0xFF) { // a fill byte: the marker follows
        out += '\xFF';
        pending_.erase(0, 1);
        return;
    }
    if (marker == start_of_scan) return pass_rest(out); // image data to the end: nothing more to take out
    if (standalone(marker)) {
        out += pending_;
        pending_.clear();
        return;
    }
    state_ = state::jpeg_length;
}

void metadata_stripper::on_jpeg_length(std::string& out) {
    auto length = byte(pending_, 2) << 8 | byte(pending_, 3);
    if (length < 2) return pass_rest(out);
    enter_body(byte(pending_, 1) != app1, length - 2, state::jpeg_marker, out);
}

void metadata_stripper::on_png_chunk(std::string& out) {
    auto length = big_endian32(pending_, 0);
    if (length > 0x7fffffffu) return pass_rest(out);
    auto type = pending_.substr(4, 4);
    enter_body(type != "eXIf", std::uint64_t{length} + 4, type == "IEND" ? state::rest : state::png_chunk, out);
}

void metadata_stripper::enter_body(bool keep, std::uint64_t left, state after, std::string& out) {
    keep_ = keep;
    if (keep) out += pending_;
    else removed_ += pending_.size();
    pending_.clear();
    left_ = left;
    after_body_ = after;
    state_ = left ? state::body : after;
}

void metadata_stripper::pass_rest(std::string& out) {
    out += pending_;
    pending_.clear();
    state_ = state::rest;
}

} // namespace chat::server::files
