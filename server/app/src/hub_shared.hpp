#pragma once
// Small pieces several of the hub's files use.

#include "chat/queue/message_numbering.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace chat::server {

// An HTTP API refusal's body.
inline nlohmann::json refusal(std::string_view code, std::string message) { return {{"code", code}, {"message", std::move(message)}}; }

// The numbering a stream's tail (newest first) shows: its last seq and its recent client ids.
template <class Entry> queue::message_numbering numbering_of_tail(const std::vector<Entry>& tail) {
    std::vector<queue::message_numbering::recent_id> recent;
    for (auto it = tail.rbegin(); it != tail.rend(); ++it) recent.push_back({it->client_id, it->seq, it->at, 0});
    return queue::message_numbering::restored(tail.empty() ? 0 : tail.front().seq, std::move(recent), true);
}

// A visitor made of lambdas, one per alternative.
template <class... F> struct overloaded : F... { using F::operator()...; };
template <class... F> overloaded(F...) -> overloaded<F...>;

} // namespace chat::server
