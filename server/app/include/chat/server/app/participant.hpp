#pragma once
// What the hub knows of a connection: who it is and how to hand it a frame. Sessions
// implement it; the hub never sees a socket.

#include "chat/server/auth/token.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace chat::server {

using frame = std::shared_ptr<const std::string>;

class participant {
public:
    explicit participant(identity who) : who_(std::move(who)) {}
    virtual ~participant() = default;
    participant(const participant&) = delete;
    participant& operator=(const participant&) = delete;

    const identity& who() const { return who_; }
    // Expert id ("tenant/subject") or customer key ("tenant/user"): unique across tenants.
    std::string key() const { return who_.tenant + '/' + who_.subject; }

    // Queues a text frame. Called on the hub's strand; must not block. The calls below keep
    // their order with it.
    virtual void deliver(frame f) = 0;
    // A chat message of `conversation`: reaches the session by seq, once and in order (held
    // during a replay; a gap before it is filled from the stream).
    virtual void deliver_message(const std::string& conversation, std::uint64_t seq, frame f) = 0;
    // The ok answering the session's own message: delivered, and the message counts as sent to it.
    virtual void deliver_own(const std::string& conversation, std::uint64_t seq, frame ok) = 0;
    // Live messages of `conversation` wait for the session's history request.
    virtual void hold(const std::string& conversation) = 0;
    // The history request `id`, authorised: what the stream holds after `after`, then the ok.
    virtual void replay(const std::string& conversation, std::uint64_t after, std::optional<std::string> id) = 0;
    // Registered again by a hub that took its shard over (after the state it sees): what it
    // may have missed meanwhile is in the streams, from where each of its cursors stands.
    virtual void rejoined() = 0;

private:
    identity who_;
};

} // namespace chat::server
