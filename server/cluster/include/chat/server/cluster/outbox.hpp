#pragma once
// What one shard's hub tells sessions of other nodes, gathered per destination node on the
// shard's strand and published once per round of deliveries: one Pub/Sub message per commit
// and node. Each carries the shard, its epoch and a link sequence number per destination, so
// a node that misses one notices the gap (and reads what it missed from the streams).

#include "chat/server/cluster/bus_codec.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace chat::server::cluster {

// What an entry tells a session.
enum class entry_kind : char { frame = 'f', message = 'm', own = 'o', hold = 'h', replay = 'r', rejoined = 'j' };

class outbox {
public:
    using publish_fn = std::function<void(const std::string& node, std::string payload)>;
    // `flush_soon` runs `f` once the current handler is done (a post to the shard's strand).
    outbox(std::string me, std::uint32_t shard, publish_fn publish, std::function<void(std::function<void()>)> flush_soon)
        : me_(std::move(me)), shard_(shard), publish_(std::move(publish)), flush_soon_(std::move(flush_soon)) {}

    void set_epoch(std::int64_t epoch) { epoch_ = epoch; }
    void add(const std::string& node, std::uint64_t session, entry_kind kind, std::string_view conversation,
             std::uint64_t seq, std::string_view text);
    void flush();

private:
    std::string me_;
    std::uint32_t shard_;
    std::int64_t epoch_ = 0;
    publish_fn publish_;
    std::function<void(std::function<void()>)> flush_soon_;
    std::map<std::string, bus_writer> pending_;
    std::map<std::string, std::uint64_t> link_; // the last link seq sent to each node
    bool scheduled_ = false;
};

} // namespace chat::server::cluster
