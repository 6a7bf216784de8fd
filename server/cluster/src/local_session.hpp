#pragma once
// A session connected to this node, as the node's router keeps it (on the node's strand).

#include "chat/server/cluster/node.hpp"

#include <map>

namespace chat::server::cluster {

struct node::local_session {
    std::uint64_t id = 0;
    std::shared_ptr<participant> p;
    shard_id shard = 0;
    bool welcomed = false; // joined once: later joins are rejoins
    bool monitor = false;  // subscribed to the queue: renewed at each rejoin
    std::string at;        // the node it is joined at (empty: none yet)
    std::int64_t epoch = 0;
    struct forwarded {
        lease_state::clock::time_point deadline;
        protocol::any_request request;
        std::string frame;
        bool resend = false; // refused unprocessed (not the owner, unknown session): sent again once joined
    };
    std::map<std::string, forwarded> pending; // by request id
};

} // namespace chat::server::cluster
