#pragma once
// A session connected to another node, as the owner's hub sees it: what the hub hands it goes
// into the shard's outbox for that node (and is told there by the session's own feed).

#include "chat/server/app/participant.hpp"
#include "chat/server/cluster/outbox.hpp"

#include <memory>
#include <string>

namespace chat::server::cluster {

class remote_participant final : public participant {
public:
    // `box` belongs to the shard and outlives every participant the shard's hub holds.
    remote_participant(identity who, std::string node, std::uint64_t session, outbox& box)
        : participant(std::move(who)), node_(std::move(node)), session_(session), box_(box) {}

    const std::string& node() const { return node_; }
    std::uint64_t session() const { return session_; }

    void deliver(frame f) override { box_.add(node_, session_, entry_kind::frame, {}, 0, *f); }
    void deliver_message(const std::string& conversation, std::uint64_t seq, frame f) override {
        box_.add(node_, session_, entry_kind::message, conversation, seq, *f);
    }
    void deliver_own(const std::string& conversation, std::uint64_t seq, frame ok) override {
        box_.add(node_, session_, entry_kind::own, conversation, seq, *ok);
    }
    void hold(const std::string& conversation) override { box_.add(node_, session_, entry_kind::hold, conversation, 0, {}); }
    void replay(const std::string& conversation, std::uint64_t after, std::optional<std::string> id) override {
        // An empty id field is no id: request ids are never empty.
        box_.add(node_, session_, entry_kind::replay, conversation, after, id.value_or(""));
    }
    void rejoined() override { box_.add(node_, session_, entry_kind::rejoined, {}, 0, {}); }

private:
    std::string node_;
    std::uint64_t session_;
    outbox& box_;
};

// An identity in bus fields, and back.
void write_identity(bus_writer& w, const identity& who);
std::optional<identity> read_identity(bus_reader& r);

} // namespace chat::server::cluster
