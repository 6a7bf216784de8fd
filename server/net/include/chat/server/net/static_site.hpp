#pragma once
// The built web clients (widget, console, monitor), read into memory at start so that
// serving them never touches the disk on an I/O thread.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace chat::server {

class static_site {
public:
    struct file {
        std::string body;
        std::string content_type;
        std::string etag; // a quoted hash of the body
        bool page = false; // HTML: gets the page security headers
    };

    // What a URL path resolves to: a file, a redirect to the directory form, or nothing.
    struct lookup {
        const file* found = nullptr;
        std::optional<std::string> redirect;
    };

    static_site() = default;
    // Reads every file under `root`; throws std::runtime_error when the folder is missing or
    // holds more than the bounds allow.
    explicit static_site(const std::filesystem::path& root);

    lookup find(std::string_view url_path) const;
    std::size_t size() const { return files_.size(); }

    static constexpr std::size_t max_files = 2000;
    static constexpr std::size_t max_bytes = 64u << 20;

private:
    std::unordered_map<std::string, file> files_; // by URL path, "/console/index.html"
};

} // namespace chat::server
