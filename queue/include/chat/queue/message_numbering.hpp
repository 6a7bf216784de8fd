#pragma once
// A conversation's message numbering: the last sequence number given, and the client ids of
// the recent messages, by which a retried send is told apart from a new one. The core is the
// one authority for both; the server stores what the core numbered.

#include "chat/queue/types.hpp"

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace chat::queue {

class message_numbering {
public:
    // A message's client id with its seq and time; the hash spares comparing every id.
    struct recent_id {
        std::string client_id;
        std::uint64_t seq = 0;
        instant at{};
        std::size_t hash = 0;
        friend bool operator==(const recent_id& a, const recent_id& b) {
            return a.client_id == b.client_id && a.seq == b.seq && a.at == b.at;
        }
    };
    static constexpr std::size_t recent_limit = 64;

    std::uint64_t last_seq() const { return last_seq_; }
    const std::deque<recent_id>& recent() const { return recent_; }
    // After a restore only the last stored message is known: a client id not among the
    // recent ones may still belong to an older message, until the stream's tail is learnt.
    bool complete() const { return complete_; }

    // The message already numbered under `client_id`, if any.
    const recent_id* find(const std::string& client_id) const;
    // Numbers a new message: the next seq, remembered under `client_id` (when not empty).
    std::uint64_t add(const std::string& client_id, instant at);
    // Learns the stream's tail (newest first) under what is remembered already.
    void learn(const std::vector<recent_id>& tail);

    // As stored: the last seq and the recent ids; incomplete when restored.
    static message_numbering restored(std::uint64_t last_seq, std::vector<recent_id> recent, bool complete);
    // The stream's last entry, which may be ahead of what the record said.
    void caught_up(const recent_id& last);

    friend bool operator==(const message_numbering&, const message_numbering&) = default;

private:
    void remember(recent_id r);

    std::uint64_t last_seq_ = 0;
    std::deque<recent_id> recent_; // oldest first
    bool complete_ = true;
};

} // namespace chat::queue
