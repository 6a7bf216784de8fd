#include "chat/queue/mentions.hpp"

#include <algorithm>

namespace chat::queue {
namespace {

bool name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

} // namespace

std::vector<std::string> mentions_in(std::string_view text) {
    std::vector<std::string> found;
    for (std::size_t at = text.find('@');
         at != std::string_view::npos && found.size() < mentions_limit;
         at = text.find('@', at + 1)) {
        if (at > 0 && name_char(text[at - 1])) continue;
        auto end = at + 1;
        while (end < text.size() && name_char(text[end]))
            ++end;
        auto name = text.substr(at + 1, end - at - 1);
        while (!name.empty() && name.back() == '.')
            name.remove_suffix(1);
        if (name.empty() || name.size() > 64) continue;
        if (std::find(found.begin(), found.end(), name) == found.end()) found.emplace_back(name);
    }
    return found;
}

} // namespace chat::queue
