#include "chat/server/files/file_types.hpp"

#include <algorithm>

namespace chat::server::files {
namespace {

const std::vector<std::string> text_extensions{
    "txt", "log", "md", "csv", "tsv", "json", "yaml", "yml", "xml", "ini", "conf", "cfg", "toml", "properties", "sh",
    "bash", "ps1", "py", "rb", "js", "mjs", "ts", "java", "kt", "go", "rs", "c", "h", "cc", "cpp", "hpp", "cs", "php",
    "sql", "diff", "patch", "har", "out", "err", "trace", "dump", "env", ""};

} // namespace

type_table default_types() {
    type_table t{{"image/png", {"png"}},
                 {"image/jpeg", {"jpg", "jpeg"}},
                 {"image/gif", {"gif"}},
                 {"image/webp", {"webp"}},
                 {"application/pdf", {"pdf"}},
                 {"application/zip", {"zip"}},
                 {"application/gzip", {"gz", "tgz"}},
                 {"application/x-gzip", {"gz", "tgz"}}};
    // What libmagic calls the text a log or a snippet is: any of them may carry any text extension.
    for (const char* type : {"text/plain", "text/x-c", "text/x-c++", "text/x-java", "text/x-python", "text/x-script.python",
                             "text/x-shellscript", "text/x-ruby", "text/x-php", "text/x-diff", "text/x-makefile", "text/csv",
                             "text/xml", "application/json", "application/xml", "application/csv", "application/javascript",
                             "text/x-asm", "text/x-tex", "text/x-msdos-batch"})
        t[type] = text_extensions;
    return t;
}

std::string extension_of(std::string_view name) {
    auto dot = name.rfind('.');
    if (dot == std::string_view::npos || dot == 0) return "";
    std::string ext(name.substr(dot + 1));
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext;
}

bool valid_file_name(std::string_view name) {
    if (name.empty() || name.size() > 255 || name == "." || name == "..") return false;
    return std::none_of(name.begin(), name.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f || c == '/' || c == '\\'; });
}

bool file_types::extension_allowed(std::string_view name) const {
    auto ext = extension_of(name);
    return std::any_of(allowed_.begin(), allowed_.end(), [&](const auto& entry) {
        return std::find(entry.second.begin(), entry.second.end(), ext) != entry.second.end();
    });
}

std::optional<std::string> file_types::refuse(std::string_view name, std::string_view content_type) const {
    auto it = allowed_.find(std::string(content_type));
    if (it == allowed_.end()) return "files of type " + std::string(content_type) + " are not accepted";
    auto ext = extension_of(name);
    if (std::find(it->second.begin(), it->second.end(), ext) == it->second.end())
        return "the file is " + std::string(content_type) + " but its name ends in " + (ext.empty() ? "no extension" : "." + ext);
    return std::nullopt;
}

bool file_types::shown_inline(std::string_view content_type) {
    return content_type == "image/png" || content_type == "image/jpeg" || content_type == "image/gif" ||
           content_type == "image/webp";
}

} // namespace chat::server::files
