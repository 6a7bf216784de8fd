#include "chat/queue/text_similarity.hpp"

#include "words.hpp"

#include <algorithm>
#include <array>

namespace chat::queue {
namespace {

constexpr std::array<std::string_view, 64> stop_words{
    "a",     "about", "after", "again", "all",  "am",    "an",     "and",   "any",  "are",
    "as",    "at",    "be",    "been",  "but",  "by",    "can",    "cant",  "cannot", "could",
    "do",    "does",  "doesnt", "dont", "for",  "from",  "get",    "has",   "have", "hello",
    "help",  "hi",    "how",   "i",     "im",   "in",    "is",     "it",    "its",  "me",
    "my",    "no",    "not",   "of",    "on",   "or",    "our",    "please", "so",  "that",
    "the",   "there", "this",  "to",    "us",   "was",   "we",     "what",  "when", "why",
    "with",  "won",   "you",   "your",
};

bool is_stop_word(std::string_view w) {
    return std::find(stop_words.begin(), stop_words.end(), w) != stop_words.end();
}

// A deliberately light stemmer: plural "s", then "ing"/"ed".
std::string stem(std::string w) {
    auto ends = [&](std::string_view suffix) {
        return w.size() >= suffix.size() && w.compare(w.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (w.size() > 3 && ends("s") && !ends("ss")) w.pop_back();
    if (w.size() > 5 && ends("ing")) w.resize(w.size() - 3);
    else if (w.size() > 4 && ends("ed")) w.resize(w.size() - 2);
    return w;
}

} // namespace

std::set<std::string> significant_words(std::string_view text) {
    std::set<std::string> out;
    for (auto& w : detail::lower_words(text))
        if (!is_stop_word(w)) out.insert(stem(std::move(w)));
    return out;
}

double text_similarity(std::string_view a, std::string_view b) {
    auto wa = significant_words(a);
    auto wb = significant_words(b);
    if (wa.empty() || wb.empty()) return 0.0;
    std::size_t common = 0;
    for (const auto& w : wa) common += wb.count(w);
    return static_cast<double>(common) / static_cast<double>(wa.size() + wb.size() - common);
}

} // namespace chat::queue
