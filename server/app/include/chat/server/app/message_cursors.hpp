#pragma once
// One session's view of its conversations' messages: per conversation the last sequence
// number it was sent, the live messages held back while a history replay or a gap fill is
// in flight, and its own messages (answered by their ok rather than sent as events). Every
// message reaches the session once, in order: a replay racing live delivery, a gap left by a
// lost notification, or an own message are all accounted for by seq.

#include "chat/server/app/participant.hpp"
#include "chat/server/store/store.hpp"

#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace chat::server {

class message_cursors {
public:
    enum class verdict : std::uint8_t {
        send, // in order: send it now
        hold, // a replay or fill is in flight: it follows it
        drop, // sent before
        fill, // messages are missing before it: read them from the stream (it is held meanwhile)
    };
    struct live {
        verdict what;
        std::uint64_t after = 0; // for `fill`: read the stream after this seq
    };
    // A live message. `hold_limit` bounds what waits: beyond it, the next page reads it from Redis.
    live on_live(const std::string& conversation, std::uint64_t seq, const frame& f, std::size_t hold_limit);
    // The session's own message, which its ok answered: it counts as sent.
    void on_own(const std::string& conversation, std::uint64_t seq);
    // Live messages wait for the client's history (for the conversations a welcome lists).
    void hold(const std::string& conversation);
    // The client holds everything up to `after`: a replay begins, and live messages wait for it.
    void begin_replay(const std::string& conversation, std::uint64_t after);

    struct replayed {
        std::vector<frame> frames;   // to send, in order
        std::uint64_t last_sent = 0; // what the session has now
        bool more = false;           // a full page: more is stored; live messages still wait
    };
    // A page of stored messages: those not sent yet, then (unless the page was full) the held
    // live ones that follow without a gap.
    replayed on_page(const std::string& conversation, const std::vector<stored_message>& page, std::size_t page_limit,
                     const std::function<frame(const stored_message&)>& frame_of);
    // A replay or fill failed: live messages flow again.
    void cancel(const std::string& conversation);
    // After a lost notification: each conversation the session follows, and where it stands.
    std::vector<std::pair<std::string, std::uint64_t>> followed() const;
    // Starts a fill of `conversation` (live messages wait for it); false when one is in flight.
    bool begin_fill(const std::string& conversation);

private:
    struct cursor {
        std::uint64_t sent = 0;
        bool established = false; // the session has followed it: a jump in seq is a gap
        bool replaying = false;
        std::vector<std::pair<std::uint64_t, frame>> held;
        std::set<std::uint64_t> own; // own messages ahead of `sent`
    };
    static void advance_over_own(cursor& c);
    std::map<std::string, cursor> cursors_;
};

} // namespace chat::server
