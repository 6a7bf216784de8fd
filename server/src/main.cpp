// chatd: for now the conversation core driven by JSON command lines on standard input, on the
// real clock, with its timers firing as they fall due. The WebSocket gateway replaces this.

#include "chat/server/console_driver.hpp"

#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <string>

namespace {

chat::queue::instant now() {
    return std::chrono::time_point_cast<chat::queue::duration>(std::chrono::system_clock::now());
}

} // namespace

int main() {
    chat::server::console_driver driver;
    std::cerr << "chatd: conversation core ready; one JSON command per line on standard input\n"
                 "chatd: commands:";
    for (const auto& c : driver.commands()) std::cerr << ' ' << c;
    std::cerr << "\nchatd: example {\"op\":\"register_expert\",\"expert\":\"ada\",\"tenant\":\"acme\"}\n";

    std::string line;
    for (;;) {
        int wait_ms = -1;
        if (auto due = driver.next_deadline())
            wait_ms = static_cast<int>(std::max<long long>(0, (*due - now()).count()));
        pollfd in{STDIN_FILENO, POLLIN, 0};
        int ready = ::poll(&in, 1, wait_ms);
        if (ready > 0) {
            if (!std::getline(std::cin, line)) break;
            if (line.empty()) continue;
            auto command = nlohmann::json::parse(line, nullptr, false);
            auto answer = command.is_discarded()
                              ? nlohmann::json{{"error", "bad_json"}, {"message", "not a JSON object"}}
                              : driver.run(command, now());
            std::cout << answer.dump() << std::endl;
        }
        if (auto fired = driver.tick(now()); !fired.is_null()) std::cout << fired.dump() << std::endl;
    }
    return 0;
}
