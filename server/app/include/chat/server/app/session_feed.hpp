#pragma once
// What one session is sent, on the session's own strand: frames as they come, and chat
// messages by seq through its cursors: once each and in order, a history replay racing live
// delivery, a gap (a lost notification) filled from the conversation's stream, and after a
// resync every conversation it follows read again from where it stands.

#include "chat/server/app/message_cursors.hpp"
#include "chat/server/store/store.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace chat::server {

class session_feed : public std::enable_shared_from_this<session_feed> {
public:
    using sink = std::function<void(frame)>;
    // `store` answers on the session's strand; `out` queues a frame on the session.
    session_feed(std::shared_ptr<server::store> store, sink out, std::size_t page)
        : store_(std::move(store)), out_(std::move(out)), page_(page) {}

    // All on the session's strand.
    void frame_out(frame f) { out_(std::move(f)); }
    void message(const std::string& conversation, std::uint64_t seq, frame f);
    void own(const std::string& conversation, std::uint64_t seq, frame ok);
    void hold(const std::string& conversation) { cursors_.hold(conversation); }
    void replay(const std::string& conversation, std::uint64_t after, std::optional<std::string> id);
    // Notifications may have been lost: every conversation followed is read from where it stands.
    void resync();
    // The session is gone: pending reads deliver nothing.
    void close() { closed_ = true; }

private:
    // Reads a page after `after`; `answer` is the history request it answers (none for a fill).
    void read(const std::string& conversation, std::uint64_t after, std::optional<std::optional<std::string>> answer);
    void on_page(const std::string& conversation, std::optional<std::optional<std::string>> answer, std::error_code ec,
                 std::vector<stored_message> page);

    std::shared_ptr<server::store> store_;
    sink out_;
    std::size_t page_;
    message_cursors cursors_;
    bool closed_ = false;
};

} // namespace chat::server
