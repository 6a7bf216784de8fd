#pragma once
// What a file's first bytes say it is, as a MIME type, by libmagic's database.

#include <mutex>
#include <string>
#include <string_view>

struct magic_set; // libmagic's

namespace chat::server::files {

class type_sniffer {
public:
    type_sniffer(); // throws when the magic database cannot be loaded
    ~type_sniffer();
    type_sniffer(const type_sniffer&) = delete;
    type_sniffer& operator=(const type_sniffer&) = delete;

    // e.g. "image/png", "text/plain"; "application/octet-stream" when unknown. Thread-safe.
    std::string sniff(std::string_view head);
    // How many of a file's first bytes sniff() wants.
    static constexpr std::size_t head_bytes = 64 * 1024;

private:
    std::mutex mutex_; // a magic handle is not safe to share between threads
    ::magic_set* magic_;
};

} // namespace chat::server::files
