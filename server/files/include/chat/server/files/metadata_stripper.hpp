#pragma once
// Takes the metadata that can tell where a picture was taken out of an image as it streams
// past: a JPEG's APP1 segments (Exif and XMP, which carry GPS positions) and a PNG's eXIf
// chunks. Everything else passes unchanged, bytes of other formats too. Sans-I/O: bytes in,
// bytes out, in pieces of any size.

#include <cstdint>
#include <string>
#include <string_view>

namespace chat::server::files {

class metadata_stripper {
public:
    // Appends to `out` what of `in` is kept.
    void feed(std::string_view in, std::string& out);
    // The end of the file: what a cut-off header held back is passed as it was.
    void finish(std::string& out);
    std::uint64_t removed() const { return removed_; }

private:
    enum class state : std::uint8_t { head, jpeg_marker, jpeg_length, png_chunk, body, rest };
    void decide(std::string& out);
    void on_jpeg_marker(std::string& out);
    void on_jpeg_length(std::string& out);
    void on_png_chunk(std::string& out);
    // The segment or chunk whose header is in pending_: kept or dropped, `left` bytes to go.
    void enter_body(bool keep, std::uint64_t left, state after, std::string& out);
    void pass_rest(std::string& out);

    state state_ = state::head;
    state after_body_ = state::rest;
    std::string pending_; // a header being gathered
    std::uint64_t left_ = 0;
    bool keep_ = true;
    std::uint64_t removed_ = 0;
};

} // namespace chat::server::files
