#pragma once
// Tenants are spread over a fixed number of shards by a stable hash; each shard's keys share
// one hash tag, so every commit and every read of a shard is one Redis Cluster slot. The tags
// are placed, not numbered: shard i's tag falls in the i-th of `count` equal slot ranges, so
// the shards spread evenly over masters holding contiguous ranges (bare "s0".."s63" do not).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chat::server {

using shard_id = std::uint32_t;

class shard_map {
public:
    static constexpr std::size_t default_count = 64;
    explicit shard_map(std::size_t count = default_count);

    std::size_t count() const { return tags_.size(); }
    shard_id shard_of(std::string_view tenant) const;
    // The hash tag of the shard's keys (without braces), e.g. "s7.12".
    const std::string& tag(shard_id s) const { return tags_.at(s); }

private:
    std::vector<std::string> tags_;
};

// The key names of one shard, all under its tag.
class shard_keys {
public:
    explicit shard_keys(const std::string& tag);

    std::string conversation(const std::string& id) const { return prefix_ + "c:" + id + ":state"; }
    std::string messages(const std::string& id) const { return prefix_ + "c:" + id + ":messages"; }
    std::string notes(const std::string& id) const { return prefix_ + "c:" + id + ":notes"; } // staff only
    std::string expert(const std::string& id) const { return prefix_ + "expert:" + id; }
    std::string attachment(const std::string& id) const { return prefix_ + "a:" + id; } // hash: an attachment's record
    // set: attachments whose virus scan has no verdict yet (scanned again when the shard is loaded)
    const std::string& scanning() const { return scanning_; }
    // hash: bytes and files a tenant keeps in the file store (its quota's use)
    std::string files(const std::string& tenant) const { return prefix_ + "files:" + tenant; }
    // stream: what a tenant's staff (and chatd itself) did, one entry per action
    std::string audit(const std::string& tenant) const { return prefix_ + "audit:" + tenant; }
    // hash: a tenant's saved answers, id -> JSON; `owner` empty: the shared ones, else that user's
    std::string answers(const std::string& tenant, const std::string& owner) const {
        return prefix_ + "answers:" + tenant + (owner.empty() ? std::string() : '/' + owner);
    }
    std::string customer(const std::string& tenant, const std::string& user) const {
        return prefix_ + "customer:" + tenant + '/' + user;
    }
    const std::string& live() const { return live_; }       // conversations the core holds
    const std::string& experts() const { return experts_; } // every expert id
    const std::string& timers() const { return timers_; }   // zset: kind|subject -> due (ms)
    const std::string& restrictions() const { return restrictions_; }
    const std::string& meta() const { return meta_; }
    const std::string& tickets() const { return tickets_; } // stream of escalations
    // hash: ticket -> JSON of what the ticket system last reported (status, when, through which endpoint)
    std::string ticket_statuses() const { return prefix_ + "tickets:status"; }
    // The webhook outbox: stream of events; hash endpoint -> the last entry it took; per
    // endpoint, the events it is retrying (hash event -> JSON) and when (zset event -> due ms);
    // stream of dead letters.
    std::string webhooks() const { return prefix_ + "webhooks"; }
    std::string webhook_cursors() const { return prefix_ + "webhooks:cursors"; }
    std::string webhook_retries(const std::string& endpoint) const { return prefix_ + "webhooks:retry:" + endpoint; }
    std::string webhook_due(const std::string& endpoint) const { return prefix_ + "webhooks:due:" + endpoint; }
    std::string webhook_dead() const { return prefix_ + "webhooks:dead"; }
    const std::string& lease() const { return lease_; }     // "holder epoch", expiring on Redis's clock
    const std::string& epoch() const { return epoch_; }     // the fencing epoch: +1 at each taking
    const std::string& prefix() const { return prefix_; }

private:
    std::string prefix_, live_, experts_, timers_, restrictions_, meta_, tickets_, lease_, epoch_, scanning_;
};

} // namespace chat::server
