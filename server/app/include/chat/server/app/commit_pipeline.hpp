#pragma once
// The group commit as a state machine without I/O (the shape of Boost.Redis's writer FSM): the
// hub submits each event's step and reports how each write ended; the pipeline answers with
// what to do. Steps that arrive while a write is in flight go together in the next one;
// nothing is told before everything before it is stored; after a write whose outcome is
// unknown, what it changed is written again from the current state until it is stored, and
// only then is anything after it told, in order.

#include "chat/server/app/step.hpp"

#include <deque>
#include <optional>
#include <system_error>
#include <vector>

namespace chat::server {

class commit_pipeline {
public:
    // What the hub does next, in this order.
    struct action {
        std::vector<unconfirmed_answer> unconfirmed; // answer `unavailable` now
        std::vector<step> deliver;                   // stored: tell everyone, in this order
        std::optional<pending_write> write;          // store this, built from the state now; then on_committed
        bool retry_later = false;                    // after a pause, on_retry()
    };

    // An event's step; `store_up` says whether Redis is reachable.
    action submit(step s, bool store_up);
    // The write in flight ended.
    action on_committed(std::error_code ec, bool store_up);
    // Redis answers again, or the pause after a failed rewrite is over.
    action on_retry(bool store_up);

    // Nothing waits to be stored or told.
    bool idle() const { return writing_ == writing::none && gathering_.empty() && undelivered_.empty(); }
    // Steps wait for a rewrite: new requests are refused rather than queued behind them.
    bool degraded() const { return !undelivered_.empty(); }
    std::size_t waiting() const { return gathering_.size() + in_flight_.size() + undelivered_.size(); }

private:
    enum class writing : std::uint8_t { none, commit, rewrite };
    void commit_ended(std::error_code ec, bool store_up, action& a);
    void rewrite_ended(std::error_code ec, bool store_up, action& a);
    void start_commit(action& a);
    void start_rewrite(action& a, bool store_up);
    // Moves steps whose outcome is unknown in front of those already waiting (they came first).
    void hold_back(std::vector<step>& steps, action& a);
    static void unconfirm(step& s, action& a);

    std::vector<step> gathering_;   // the next write
    std::vector<step> in_flight_;   // the write in flight (a commit)
    std::deque<step> undelivered_;  // behind a failed write: told once the rewrite is stored
    pending_write dirty_;           // what they changed, written again from the current state
    pending_write rewrite_;         // what the rewrite in flight writes (again dirty if it fails)
    std::size_t rewriting_ = 0;     // the first this many of undelivered_ are in the rewrite in flight
    writing writing_ = writing::none;
};

} // namespace chat::server
