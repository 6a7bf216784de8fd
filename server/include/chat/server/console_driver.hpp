#pragma once
// Drives the core from JSON command lines on the real clock: chatd's console until the
// WebSocket gateway arrives. Each command is answered with the outcome as JSON.

#include "chat/queue/core.hpp"

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace chat::server {

class console_driver {
public:
    explicit console_driver(queue::policy p = {});

    // Runs one command ({"op": "...", ...}) at `now`.
    nlohmann::json run(const nlohmann::json& command, queue::instant now);
    // Fires the timers due at `now`; null when nothing happened.
    nlohmann::json tick(queue::instant now);
    std::optional<queue::instant> next_deadline() const { return core_.next_deadline(); }
    // The names of every command.
    std::vector<std::string> commands() const;

private:
    using handler = std::function<queue::outcome(const nlohmann::json&, queue::instant)>;
    queue::core core_;
    std::map<std::string, handler> table_;
};

} // namespace chat::server
