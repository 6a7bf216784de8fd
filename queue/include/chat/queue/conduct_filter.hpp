#pragma once
// Matches customer messages against the conduct word list, whole words, case-insensitively.

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace chat::queue {

class conduct_filter {
public:
    explicit conduct_filter(const std::vector<std::string>& words = {});
    bool offends(std::string_view message) const;

private:
    std::unordered_set<std::string> words_;
    std::vector<std::string> phrases_; // entries with spaces, matched as substrings of the normalised text
};

} // namespace chat::queue
