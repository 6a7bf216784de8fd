#pragma once
// One WebSocket connection: authenticates, parses frames by the protocol table, hands
// requests to the hub, and writes the hub's frames through a bounded queue.

#include "chat/server/app/participant.hpp"
#include "chat/server/app/rate_limiter.hpp"
#include "chat/server/app/session_feed.hpp"
#include "chat/server/net/connection.hpp"
#include "chat/server/net/gateway.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <deque>
#include <memory>

namespace chat::server {

class websocket_session : public std::enable_shared_from_this<websocket_session> {
public:
    websocket_session(connection_socket&& socket, std::shared_ptr<gateway> gw);
    ~websocket_session();

    void run(boost::beast::http::request<boost::beast::http::string_body> req);
    // Thread-safe: queues a frame on the session's strand.
    void send(frame f);
    // Thread-safe: sends "reconnect" and closes.
    void drain();
    // Thread-safe: runs `f` with the session's feed on its strand (once authenticated).
    template <class F> void with_feed(F&& f) {
        boost::asio::post(ws_.get_executor(), [self = shared_from_this(), f = std::forward<F>(f)]() mutable {
            if (self->feed_) f(*self->feed_);
        });
    }

private:
    void on_accept(boost::beast::error_code ec);
    void do_read();
    void on_read(boost::beast::error_code ec, std::size_t bytes);
    void on_frame(std::string_view text);
    void authenticate(std::string_view token, const std::optional<std::string>& id);
    void refuse(const std::optional<std::string>& id, std::string_view code, std::string message, bool strike);
    void queue_frame(frame f);
    void do_write();
    void on_write(boost::beast::error_code ec, std::size_t bytes);
    void shut(boost::beast::websocket::close_code why);
    void gone();
    void arm_hello_deadline();
    void arm_expiry();
    void authenticated();

    boost::beast::websocket::stream<connection_stream> ws_;
    boost::beast::flat_buffer buffer_;
    std::shared_ptr<gateway> gw_;
    std::shared_ptr<participant> me_; // set once authenticated
    std::shared_ptr<session_feed> feed_; // what it is sent, by seq (on this strand)
    std::string origin_;
    std::string host_;
    std::string header_token_;
    std::deque<frame> queue_;
    std::size_t queued_bytes_ = 0;
    rate_limiter rate_;
    std::deque<std::chrono::steady_clock::time_point> strikes_;
    boost::asio::steady_timer deadline_; // the hello's, then the token's expiry
    boost::beast::websocket::close_code close_code_ = boost::beast::websocket::close_code::normal;
    bool counted_unauthenticated_ = true;
    bool closing_ = false;
    bool left_ = false;
};

} // namespace chat::server
