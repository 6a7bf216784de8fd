#pragma once
// What the two floor servers share: a listener and a WebSocket session that reads frames and
// writes queued ones, on its own strand, with the socket options chatd uses. The floors are
// what this machine does with no chat logic; chat-loadgen drives them like chatd.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <deque>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace chat::bench {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using frame_ptr = std::shared_ptr<const std::string>;

// One accepted WebSocket connection. `on_frame` gets each text frame; `send` is thread-safe.
class floor_session : public std::enable_shared_from_this<floor_session> {
public:
    using frame_handler = std::function<void(const std::shared_ptr<floor_session>&, frame_ptr)>;
    using open_handler = std::function<void(const std::shared_ptr<floor_session>&, const std::string& target)>;

    floor_session(boost::asio::ip::tcp::socket&& s, frame_handler on_frame, open_handler on_open)
        : ws_(std::move(s)), on_frame_(std::move(on_frame)), on_open_(std::move(on_open)) {}

    void run() {
        http::async_read(ws_.next_layer(), in_, request_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec || !websocket::is_upgrade(self->request_)) return;
            self->ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
            self->ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
                res.set(http::field::sec_websocket_protocol, "chat.v1");
            }));
            self->ws_.async_accept(self->request_, [self](beast::error_code e) {
                if (e) return;
                if (self->on_open_) self->on_open_(self, std::string(self->request_.target()));
                self->read();
            });
        });
    }

    void send(frame_ptr f) {
        boost::asio::post(ws_.get_executor(), [self = shared_from_this(), f = std::move(f)] {
            self->outbox_.push_back(f);
            if (self->outbox_.size() == 1) self->write();
        });
    }

private:
    void read() {
        ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return;
            auto f = std::make_shared<const std::string>(beast::buffers_to_string(self->in_.data()));
            self->in_.consume(self->in_.size());
            self->on_frame_(self, std::move(f));
            self->read();
        });
    }
    void write() {
        ws_.text(true);
        ws_.async_write(boost::asio::buffer(*outbox_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return;
            self->outbox_.pop_front();
            if (!self->outbox_.empty()) self->write();
        });
    }

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer in_;
    http::request<http::string_body> request_;
    std::deque<frame_ptr> outbox_;
    frame_handler on_frame_;
    open_handler on_open_;
};

// Accepts on 127.0.0.1:port, each connection on its own strand, and runs `threads` threads
// until SIGINT or SIGTERM.
inline void serve(unsigned short port, int threads, floor_session::frame_handler on_frame,
                  floor_session::open_handler on_open, boost::asio::io_context& io) {
    boost::asio::ip::tcp::acceptor acceptor(boost::asio::make_strand(io));
    boost::asio::ip::tcp::endpoint at(boost::asio::ip::make_address("127.0.0.1"), port);
    acceptor.open(at.protocol());
    acceptor.set_option(boost::asio::socket_base::reuse_address(true));
    acceptor.bind(at);
    acceptor.listen(boost::asio::socket_base::max_listen_connections);
    std::function<void()> accept = [&] {
        acceptor.async_accept(boost::asio::make_strand(io), [&](beast::error_code ec, boost::asio::ip::tcp::socket s) {
            if (ec == boost::asio::error::operation_aborted) return;
            if (!ec) {
                s.set_option(boost::asio::ip::tcp::no_delay(true), ec);
                std::make_shared<floor_session>(std::move(s), on_frame, on_open)->run();
            }
            accept();
        });
    };
    accept();
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](beast::error_code, int) { io.stop(); });
    std::cout << "listening on 127.0.0.1:" << acceptor.local_endpoint().port() << std::endl;
    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
    io.run();
    for (auto& t : pool) t.join();
}

} // namespace chat::bench
