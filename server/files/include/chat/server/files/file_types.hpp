#pragma once
// Which files may be sent: each allowed content type (as sniffed from the bytes) with the
// name extensions it may carry. A file is refused when its bytes are of a type not listed,
// or its name's extension does not match what its bytes are.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chat::server::files {

// content type -> extensions, lower case without the dot ("txt"); "" allows a name without one.
using type_table = std::map<std::string, std::vector<std::string>>;

// Images, PDFs, logs, code snippets and the archives logs come in.
type_table default_types();

class file_types {
public:
    explicit file_types(type_table allowed = default_types()) : allowed_(std::move(allowed)) {}

    // Why a file named `name` whose bytes sniff as `content_type` is refused, or nothing.
    std::optional<std::string> refuse(std::string_view name, std::string_view content_type) const;
    // Whether some allowed type may carry `name`'s extension (checked before the bytes arrive).
    bool extension_allowed(std::string_view name) const;
    // Images a browser shows in the page (served inline); everything else is a download.
    static bool shown_inline(std::string_view content_type);
    const type_table& allowed() const { return allowed_; }

private:
    type_table allowed_;
};

// A file's name as sent: 1..255 bytes of UTF-8, no path, no control characters.
bool valid_file_name(std::string_view name);
// The extension of `name`, lower case, without the dot ("" when it has none).
std::string extension_of(std::string_view name);

} // namespace chat::server::files
