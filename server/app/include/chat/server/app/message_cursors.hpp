#pragma once
// Per session and conversation, the last message sequence sent, and the live messages held
// back while a history replay is in flight: after a reconnect the replay and what follows it
// are one ordered stream, each message once.

#include "chat/server/app/participant.hpp"
#include "chat/server/store/store.hpp"

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace chat::server {

class message_cursors {
public:
    // A live message for `p`: true to send it now. Held while its conversation replays (up to
    // `hold_limit`: beyond a page the next page reads it from Redis anyway), dropped when sent before.
    bool on_live(const participant* p, const std::string& conversation, std::uint64_t seq, const frame& f,
                 std::size_t hold_limit);
    // Live messages wait for the client's history (for the conversations a welcome lists).
    void hold(const participant* p, const std::string& conversation);
    // The client holds everything up to `after`: a replay begins, and live messages wait for it.
    void begin_replay(const participant* p, const std::string& conversation, std::uint64_t after);

    struct replayed {
        std::vector<frame> frames;   // to send, in order
        std::uint64_t last_sent = 0; // what the client has now
        bool gone = false;           // the session left meanwhile: nothing to send
    };
    // A page of stored messages: those not sent yet, then (unless the page was full and the
    // client asks for the next) the held live ones that follow without a gap.
    replayed on_page(const participant* p, const std::string& conversation, const std::vector<stored_message>& page,
                     std::size_t page_limit, const std::function<frame(const stored_message&)>& frame_of);
    // The replay failed: live messages flow again.
    void cancel(const participant* p, const std::string& conversation);
    void forget(const participant* p);
    void clear() { cursors_.clear(); }

private:
    struct cursor {
        std::uint64_t sent = 0;
        bool replaying = false;
        std::vector<std::pair<std::uint64_t, frame>> held;
    };
    std::map<std::pair<const participant*, std::string>, cursor> cursors_;
};

} // namespace chat::server
