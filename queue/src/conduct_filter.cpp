#include "chat/queue/conduct_filter.hpp"

#include "words.hpp"

namespace chat::queue {

conduct_filter::conduct_filter(const std::vector<std::string>& words) {
    for (const auto& entry : words) {
        auto parts = detail::lower_words(entry);
        if (parts.size() == 1) {
            words_.insert(parts.front());
        } else if (parts.size() > 1) {
            std::string phrase = " ";
            for (const auto& p : parts) phrase += p + ' ';
            phrases_.push_back(std::move(phrase));
        }
    }
}

bool conduct_filter::offends(std::string_view message) const {
    if (words_.empty() && phrases_.empty()) return false;
    auto parts = detail::lower_words(message);
    for (const auto& p : parts)
        if (words_.count(p)) return true;
    if (phrases_.empty()) return false;
    std::string normalised = " ";
    for (const auto& p : parts) normalised += p + ' ';
    for (const auto& phrase : phrases_)
        if (normalised.find(phrase) != std::string::npos) return true;
    return false;
}

} // namespace chat::queue
