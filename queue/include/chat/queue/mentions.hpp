#pragma once
// The colleagues a note names with `@user`.

#include <string>
#include <string_view>
#include <vector>

namespace chat::queue {

// At most this many colleagues are notified of one note.
inline constexpr std::size_t mentions_limit = 10;

// The users named as `@user` (letters, digits, `.`, `_`, `-`), each once, in order of
// appearance. An `@` inside a word (an e-mail address) names nobody; a sentence's closing
// `.` is not part of the name.
std::vector<std::string> mentions_in(std::string_view text);

} // namespace chat::queue
