#include "chat/server/files/metadata_stripper.hpp"

#include <catch2/catch.hpp>

using chat::server::files::metadata_stripper;

namespace {

std::string bytes(std::initializer_list<int> b) {
    std::string s;
    for (int c : b) s += static_cast<char>(c);
    return s;
}

// Fed `in` in pieces of `piece` bytes.
std::string strip(const std::string& in, std::size_t piece, std::uint64_t* removed = nullptr) {
    metadata_stripper m;
    std::string out;
    for (std::size_t i = 0; i < in.size(); i += piece) m.feed(std::string_view(in).substr(i, piece), out);
    m.finish(out);
    if (removed) *removed = m.removed();
    return out;
}

const std::string app0 = bytes({0xFF, 0xE0, 0x00, 0x07}) + std::string("JFIF\0", 5);
const std::string gps = bytes({0xFF, 0xE1, 0x00, 0x0C}) + std::string("Exif\0\0GPS!", 10);
const std::string table = bytes({0xFF, 0xDB, 0x00, 0x04, 0x11, 0x22});
const std::string scan = bytes({0xFF, 0xDA, 0x00, 0x02, 0xFF, 0xE1, 0x00, 0x04, 0xAB, 0xCD, 0xFF, 0xD9});
const std::string soi = bytes({0xFF, 0xD8});

} // namespace

TEST_CASE("a JPEG's Exif segment is taken out, whatever the pieces it arrives in", "[files][strip]") {
    auto jpeg = soi + app0 + gps + table + scan;
    for (std::size_t piece : {1, 2, 3, 5, 7, 64, 4096}) {
        std::uint64_t removed = 0;
        CHECK(strip(jpeg, piece, &removed) == soi + app0 + table + scan);
        CHECK(removed == gps.size());
    }
}

TEST_CASE("bytes after a JPEG's start of scan pass as they are, marker-like or not", "[files][strip]") {
    auto jpeg = soi + table + scan;
    CHECK(strip(jpeg, 3) == jpeg);
}

TEST_CASE("a PNG's eXIf chunk is taken out and its other chunks kept", "[files][strip]") {
    auto sig = std::string("\x89PNG\r\n\x1a\n", 8);
    auto chunk = [](const std::string& type, const std::string& data) {
        return bytes({0, 0, 0, static_cast<int>(data.size())}) + type + data + "CRC!";
    };
    auto png = sig + chunk("IHDR", std::string(13, 'h')) + chunk("eXIf", "GPS 48.85N") + chunk("IDAT", "pixels") +
               chunk("IEND", "");
    for (std::size_t piece : {1, 4, 9, 1000})
        CHECK(strip(png, piece) == sig + chunk("IHDR", std::string(13, 'h')) + chunk("IDAT", "pixels") + chunk("IEND", ""));
}

TEST_CASE("other files, and files shorter than a header, pass unchanged", "[files][strip]") {
    CHECK(strip("plain text log line\n", 4) == "plain text log line\n");
    CHECK(strip("%PDF-1.7 ...", 1) == "%PDF-1.7 ...");
    CHECK(strip(bytes({0xFF, 0xD8, 0xFF}), 1) == bytes({0xFF, 0xD8, 0xFF}));
    auto cut = soi + app0.substr(0, 3);
    CHECK(strip(cut, 2) == cut);
}
