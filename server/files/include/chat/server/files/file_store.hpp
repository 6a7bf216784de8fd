#pragma once
// Where the bytes of files live, named by their SHA-256 (the same file sent twice is kept
// once). Every call blocks on the disk: callers run them off the I/O threads.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct evp_md_ctx_st; // OpenSSL's

namespace chat::server::files {

// One file being written: bytes go to a temporary file, and become readable under their
// digest only when kept. Dropped unkept (or on error), nothing of it is left.
class file_upload {
public:
    virtual ~file_upload() = default;
    virtual void write(std::string_view bytes) = 0; // throws std::system_error
    // Stored for good (on disk, synced) under the returned SHA-256, in hex.
    virtual std::string keep() = 0;
    virtual std::uint64_t size() const = 0;
};

// A stored file opened for reading.
class file_reader {
public:
    virtual ~file_reader() = default;
    // Up to `n` bytes into `into`; 0 at the end. Throws std::system_error.
    virtual std::size_t read(char* into, std::size_t n) = 0;
    virtual std::uint64_t size() const = 0;
};

class file_store {
public:
    virtual ~file_store() = default;
    virtual std::unique_ptr<file_upload> begin() = 0;
    // The file stored under `sha256`, or nothing.
    virtual std::unique_ptr<file_reader> open(const std::string& sha256) = 0;
};

// A directory (shared by the nodes of a cluster): `ab/cd/abcd…` for each file, `tmp/` for
// uploads in flight. Leftovers of a process that died mid-upload are removed at start once old.
std::shared_ptr<file_store> directory_store(const std::filesystem::path& root);

// SHA-256 of bytes fed in pieces.
class sha256 {
public:
    sha256();
    ~sha256();
    sha256(const sha256&) = delete;
    sha256& operator=(const sha256&) = delete;
    void add(std::string_view bytes);
    std::string hex(); // once
    static std::string of(std::string_view bytes);

private:
    ::evp_md_ctx_st* ctx_;
};

} // namespace chat::server::files
