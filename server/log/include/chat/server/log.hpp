#pragma once
// One line per event worth an operator's attention (Redis down and up, commits failing and
// recovering, records skipped): to stderr, or to a sink a test installs.

#include <functional>
#include <sstream>
#include <string>
#include <string_view>

namespace chat::server {

// Writes "chatd: <line>"; safe from any thread.
void log_line(std::string_view line);

// Replaces where lines go (nothing restores stderr but another call with an empty function).
void set_log_sink(std::function<void(std::string_view)> sink);

// log("Redis is down: ", why) — the parts streamed into one line.
template <class... Parts> void log(const Parts&... parts) {
    std::ostringstream line;
    (line << ... << parts);
    log_line(line.str());
}

} // namespace chat::server
