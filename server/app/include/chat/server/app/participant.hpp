#pragma once
// What the hub knows of a connection: who it is and how to hand it a frame. Sessions
// implement it; the hub never sees a socket.

#include "chat/server/auth/token.hpp"

#include <memory>
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

    // Queues a text frame. Called on the hub's strand; must not block.
    virtual void deliver(frame f) = 0;

private:
    identity who_;
};

} // namespace chat::server
