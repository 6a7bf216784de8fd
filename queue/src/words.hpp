#pragma once
// Splits text into lower-cased words: ASCII letters and digits, and any non-ASCII bytes
// (so that UTF-8 words stay whole).

#include <string>
#include <string_view>
#include <vector>

namespace chat::queue::detail {

inline std::vector<std::string> lower_words(std::string_view text) {
    std::vector<std::string> words;
    std::string current;
    for (unsigned char ch : text) {
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch >= 0x80) {
            current.push_back(static_cast<char>(ch));
        } else if (ch >= 'A' && ch <= 'Z') {
            current.push_back(static_cast<char>(ch - 'A' + 'a'));
        } else if (ch == '\'') {
            continue; // "can't" and "cant" are one word
        } else if (!current.empty()) {
            words.push_back(std::move(current));
            current.clear();
        }
    }
    if (!current.empty()) words.push_back(std::move(current));
    return words;
}

} // namespace chat::queue::detail
