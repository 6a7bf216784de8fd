#include "chat/server/log.hpp"

#include <iostream>
#include <mutex>

namespace chat::server {
namespace {

std::mutex mutex;
std::function<void(std::string_view)> sink;

} // namespace

void log_line(std::string_view line) {
    std::lock_guard lock(mutex);
    if (sink) return sink(line);
    std::cerr << "chatd: " << line << '\n';
}

void set_log_sink(std::function<void(std::string_view)> s) {
    std::lock_guard lock(mutex);
    sink = std::move(s);
}

} // namespace chat::server
