#pragma once
// A participant for one request that comes over HTTP rather than a WebSocket: the hub's
// answer to it (an ok or an error frame) is handed to `done`, once, as JSON. It keeps itself
// alive until then (the hub holds sessions weakly).

#include "chat/server/app/participant.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <mutex>

namespace chat::server {

class reply_participant final : public participant, public std::enable_shared_from_this<reply_participant> {
public:
    using handler = std::function<void(const nlohmann::json& answer)>;
    static std::shared_ptr<reply_participant> make(identity who, handler done);

    void deliver(frame f) override { answer(*f); }
    void deliver_own(const std::string&, std::uint64_t, frame ok) override { answer(*ok); }
    // Chat messages, replays and rejoining are a WebSocket session's business.
    void deliver_message(const std::string&, std::uint64_t, frame) override {}
    void hold(const std::string&) override {}
    void replay(const std::string&, std::uint64_t, std::optional<std::string>) override {}
    void rejoined() override {}

private:
    reply_participant(identity who, handler done) : participant(std::move(who)), done_(std::move(done)) {}
    void answer(const std::string& text);

    std::mutex mutex_;
    handler done_;
    std::shared_ptr<reply_participant> self_;
};

} // namespace chat::server
