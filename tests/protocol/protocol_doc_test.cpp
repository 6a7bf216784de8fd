// docs/protocol.md against the protocol's tables: every request and event type is documented
// with every one of its fields.

#include "chat/protocol/codec.hpp"
#include "chat/protocol/events.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace {

using namespace chat::protocol;

std::vector<std::string> page_lines() {
    std::ifstream in(std::filesystem::path(CHAT_SOURCE_DIR) / "docs" / "protocol.md");
    REQUIRE(in);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

// Everything the page says about `type`: its table rows, its `**type**` paragraphs, its `### type`
// section, and the JSON examples of that type.
std::string entry_of(const std::vector<std::string>& lines, const std::string& type) {
    const std::string quoted = '`' + std::string(type) + '`';
    std::string entry;
    bool in_code = false;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const auto& line = lines[i];
        if (starts_with(line, "```")) {
            in_code = !in_code;
            continue;
        }
        // A JSON example of the type (in a code block or inline), which may go on over several lines.
        auto at = line.find("{\"type\": \"" + type + '"');
        if (at == std::string::npos) at = line.find("{\"type\":\"" + type + '"');
        if (at != std::string::npos) {
            int depth = 0;
            for (std::size_t j = i; j < lines.size() && (j == i || !starts_with(lines[j], "```")); ++j) {
                const auto& l = lines[j];
                for (std::size_t k = j == i ? at : 0; k < l.size(); ++k) {
                    entry += l[k];
                    if (l[k] == '{') ++depth;
                    if (l[k] == '}' && --depth == 0) break;
                }
                entry += '\n';
                if (depth == 0) break;
            }
        }
        if (in_code) continue;
        if (starts_with(line, "| ")) {
            auto first_cell = line.substr(0, line.find(" | ", 2));
            if (first_cell.find(quoted) != std::string::npos) entry += line + '\n';
            continue;
        }
        bool section = line == "### " + type;
        bool paragraph = starts_with(line, "**" + type + "**");
        if (!section && !paragraph) continue;
        // To the next heading (a section) or the next request's paragraph.
        for (std::size_t j = i; j < lines.size(); ++j) {
            if (j > i && (starts_with(lines[j], "#") || (paragraph && starts_with(lines[j], "**")))) break;
            entry += lines[j] + '\n';
        }
    }
    return entry;
}

// The names of a message's fields, through the same visit() the codec uses.
struct field_names {
    std::vector<std::string> names;
    template <class T> void operator()(const char* name, T&, field_kind = field_kind::note) { names.emplace_back(name); }
};

template <class Variant> void check_every_type(const std::vector<std::string>& lines) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (
            [&] {
                using M = std::variant_alternative_t<I, Variant>;
                std::string type(M::type);
                auto entry = entry_of(lines, type);
                INFO("type " << type);
                CHECK_FALSE(entry.empty());
                M m{};
                field_names fields;
                m.visit(fields);
                for (const auto& f : fields.names) {
                    if (f == "id") continue; // the envelope's, described once for every message
                    INFO("field " << f);
                    bool named = entry.find('`' + f + '`') != std::string::npos ||
                                 entry.find('"' + f + '"') != std::string::npos;
                    CHECK(named);
                }
            }(),
            ...);
    }(std::make_index_sequence<std::variant_size_v<Variant>>{});
}

} // namespace

TEST_CASE("docs/protocol.md names every request type with all of its fields", "[protocol][docs]") {
    check_every_type<any_request>(page_lines());
}

TEST_CASE("docs/protocol.md names every event type with all of its fields", "[protocol][docs]") {
    check_every_type<any_event>(page_lines());
}

TEST_CASE("the docs check finds nothing for a type the page does not describe", "[protocol][docs]") {
    auto lines = page_lines();
    CHECK(entry_of(lines, "no_such_type").empty());
    CHECK(entry_of(lines, "hand_off").find("`note`") != std::string::npos);
}
