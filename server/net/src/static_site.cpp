#include "chat/server/net/static_site.hpp"

#include <array>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace chat::server {
namespace {

std::string_view content_type_of(const std::filesystem::path& p) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 12> types{{
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".map", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".txt", "text/plain; charset=utf-8"},
        {".woff2", "font/woff2"},
        {".webmanifest", "application/manifest+json"},
    }};
    auto ext = p.extension().string();
    for (const auto& [e, type] : types)
        if (e == ext) return type;
    return "application/octet-stream";
}

std::string etag_of(std::string_view body) {
    std::uint64_t h = 14695981039346656037ull; // FNV-1a
    for (unsigned char ch : body) {
        h ^= ch;
        h *= 1099511628211ull;
    }
    std::ostringstream out;
    out << '"' << std::hex << h << '-' << body.size() << '"';
    return out.str();
}

bool hidden(const std::filesystem::path& relative) {
    for (const auto& part : relative)
        if (!part.empty() && part.string().front() == '.') return true;
    return false;
}

} // namespace

static_site::static_site(const std::filesystem::path& root) {
    namespace fs = std::filesystem;
    if (!fs::is_directory(root)) throw std::runtime_error("web_root " + root.string() + " is not a folder");
    std::size_t bytes = 0;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        if (!entry.is_regular_file()) continue;
        auto relative = fs::relative(entry.path(), root);
        if (hidden(relative)) continue;
        if (files_.size() == max_files) throw std::runtime_error("web_root holds more than 2000 files");
        std::ifstream in(entry.path(), std::ios::binary);
        std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (in.bad()) throw std::runtime_error("cannot read " + entry.path().string());
        bytes += body.size();
        if (bytes > max_bytes) throw std::runtime_error("web_root holds more than 64 MiB");
        file f{std::move(body), std::string(content_type_of(entry.path())), {}, entry.path().extension() == ".html"};
        f.etag = etag_of(f.body);
        files_.emplace('/' + relative.generic_string(), std::move(f));
    }
}

static_site::lookup static_site::find(std::string_view url_path) const {
    std::string key(url_path);
    if (key.empty() || key.front() != '/') return {};
    if (key.back() == '/') key += "index.html";
    if (auto it = files_.find(key); it != files_.end()) return {&it->second, std::nullopt};
    // "/console" names the folder: send the browser to "/console/" so relative links resolve.
    if (files_.count(key + "/index.html")) return {nullptr, key + '/'};
    return {};
}

} // namespace chat::server
