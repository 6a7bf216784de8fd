#pragma once
// Normalised text similarity for judging whether two opening messages are about the same issue.

#include <set>
#include <string>
#include <string_view>

namespace chat::queue {

// Lower-cased word stems with stop words removed.
std::set<std::string> significant_words(std::string_view text);
// Jaccard similarity of the significant words of two texts, in [0, 1].
double text_similarity(std::string_view a, std::string_view b);

} // namespace chat::queue
