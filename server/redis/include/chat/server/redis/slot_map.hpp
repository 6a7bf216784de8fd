#pragma once
// Which Redis Cluster master serves which slot, as CLUSTER SLOTS tells it, and where a command
// goes: the slot of its key, or (a command without a key) wherever the command before it in
// the pipeline went. Pure: no I/O.

#include "chat/server/redis/value.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chat::server::redis {

struct node_address {
    std::string host;
    int port = 0;
    std::string text() const { return host + ':' + std::to_string(port); }
    bool operator==(const node_address&) const = default;
};

class slot_map {
public:
    // From a CLUSTER SLOTS reply; none when it does not cover every slot.
    static std::optional<slot_map> from_reply(const value& reply);

    const node_address& master_of(std::uint16_t slot) const { return masters_[owner_[slot]]; }
    const std::vector<node_address>& masters() const { return masters_; }
    // A MOVED answer: `slot` is served by `at` from now on.
    void moved(std::uint16_t slot, const node_address& at);

private:
    std::vector<node_address> masters_;
    std::vector<std::uint16_t> owner_; // slot -> index in masters_
};

// The key a command names, if any (the commands chatd sends).
std::optional<std::string_view> key_of(const command& c);

// A redirection in an error reply: "MOVED 3999 127.0.0.1:6381" or "ASK 3999 127.0.0.1:6381".
struct redirection {
    bool ask = false;
    std::uint16_t slot = 0;
    node_address to;
};
std::optional<redirection> redirection_of(const value& reply);

} // namespace chat::server::redis
