#pragma once
// One client WebSocket connection of the load generator: Beast over TCP, frames queued for
// writing in order, every received frame handed to the owner with its arrival time.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>

namespace chat::loadgen {

using steady = std::chrono::steady_clock;

class ws_peer : public std::enable_shared_from_this<ws_peer> {
public:
    struct handlers {
        std::function<void()> open;                                   // handshake done
        std::function<void(std::string_view frame, steady::time_point)> frame;
        std::function<void(const std::string& why)> failed;           // before or after opening
    };

    ws_peer(boost::asio::io_context& io, handlers h) : ws_(io), resolver_(io), h_(std::move(h)) {}

    // Connects to host:port, upgrades at `path` offering chat.v1, with an optional bearer token.
    void start(const std::string& host, unsigned short port, std::string path, std::string bearer);
    void send(std::string frame);
    void close();
    bool is_open() const { return open_; }
    std::size_t queued() const { return outbox_.size(); }

private:
    void on_connect(boost::beast::error_code ec);
    void read();
    void write();
    void fail(const std::string& what, boost::beast::error_code ec);

    boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
    boost::asio::ip::tcp::resolver resolver_;
    handlers h_;
    std::string host_, path_, bearer_;
    boost::beast::flat_buffer in_;
    std::deque<std::string> outbox_;
    bool writing_ = false, open_ = false, closing_ = false, failed_ = false;
};

} // namespace chat::loadgen
