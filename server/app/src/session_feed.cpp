#include "chat/server/app/session_feed.hpp"

#include "chat/server/app/notifications.hpp"

namespace chat::server {
namespace {

namespace ev = protocol::event;

frame message_frame(const std::string& conversation, const stored_message& m) {
    return notifications::frame_of(notifications::message_event(conversation, m));
}

} // namespace

void session_feed::message(const std::string& conversation, std::uint64_t seq, frame f) {
    auto live = cursors_.on_live(conversation, seq, f, page_);
    if (live.what == message_cursors::verdict::send) out_(std::move(f));
    else if (live.what == message_cursors::verdict::fill) read(conversation, live.after, std::nullopt);
}

void session_feed::own(const std::string& conversation, std::uint64_t seq, frame ok) {
    cursors_.on_own(conversation, seq);
    out_(std::move(ok));
}

void session_feed::replay(const std::string& conversation, std::uint64_t after, std::optional<std::string> id) {
    cursors_.begin_replay(conversation, after);
    read(conversation, after, std::optional<std::optional<std::string>>(std::move(id)));
}

void session_feed::resync() {
    for (const auto& [conversation, sent] : cursors_.followed())
        if (cursors_.begin_fill(conversation)) read(conversation, sent, std::nullopt);
}

void session_feed::read(const std::string& conversation, std::uint64_t after,
                        std::optional<std::optional<std::string>> answer) {
    store_->messages(conversation, after, page_,
                     [self = shared_from_this(), conversation, answer = std::move(answer)](
                         std::error_code ec, std::vector<stored_message> page) mutable {
                         self->on_page(conversation, std::move(answer), ec, std::move(page));
                     });
}

void session_feed::on_page(const std::string& conversation, std::optional<std::optional<std::string>> answer,
                           std::error_code ec, std::vector<stored_message> page) {
    if (closed_) return;
    if (ec) {
        cursors_.cancel(conversation);
        if (answer)
            out_(notifications::frame_of(ev::error{*answer, std::string(protocol::code::unavailable), ec.message()}));
        return;
    }
    auto r = cursors_.on_page(conversation, page, page_, [&](const stored_message& m) { return message_frame(conversation, m); });
    for (auto& f : r.frames) out_(std::move(f));
    // A history request is answered with what the session has now; the client asks for the
    // next page. A fill reads on until it has caught up.
    if (answer) out_(notifications::frame_of(ev::ok{*answer, conversation, r.last_sent, std::nullopt}));
    else if (r.more) read(conversation, r.last_sent, std::nullopt);
}

} // namespace chat::server
