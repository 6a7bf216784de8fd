#include "ws_peer.hpp"

#include <boost/asio/connect.hpp>

namespace chat::loadgen {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

void ws_peer::start(const std::string& host, unsigned short port, std::string path, std::string bearer) {
    host_ = host + ':' + std::to_string(port);
    path_ = std::move(path);
    bearer_ = std::move(bearer);
    boost::asio::ip::tcp::endpoint at(boost::asio::ip::make_address(host), port);
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(30));
    beast::get_lowest_layer(ws_).async_connect(at, [self = shared_from_this()](beast::error_code ec) { self->on_connect(ec); });
}

void ws_peer::on_connect(beast::error_code ec) {
    if (ec) return fail("connect", ec);
    beast::get_lowest_layer(ws_).socket().set_option(boost::asio::ip::tcp::no_delay(true));
    ws_.set_option(websocket::stream_base::decorator([bearer = bearer_](websocket::request_type& req) {
        req.set(http::field::sec_websocket_protocol, "chat.v1");
        if (!bearer.empty()) req.set(http::field::authorization, "Bearer " + bearer);
    }));
    ws_.async_handshake(host_, path_, [self = shared_from_this()](beast::error_code e) {
        if (e) return self->fail("handshake", e);
        // The stream's own timeouts from here: the TCP deadline must not close an idle connection.
        beast::get_lowest_layer(self->ws_).expires_never();
        self->ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
        self->open_ = true;
        if (self->h_.open) self->h_.open();
        self->read();
        if (!self->outbox_.empty()) self->write();
    });
}

void ws_peer::read() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec) return self->fail("read", ec);
        auto at = steady::now();
        auto data = self->in_.cdata();
        self->h_.frame(std::string_view(static_cast<const char*>(data.data()), data.size()), at);
        self->in_.consume(self->in_.size());
        self->read();
    });
}

void ws_peer::send(std::string frame) {
    outbox_.push_back(std::move(frame));
    if (open_ && !writing_) write();
}

void ws_peer::write() {
    if (outbox_.empty() || closing_ || failed_) return;
    writing_ = true;
    ws_.text(true);
    ws_.async_write(boost::asio::buffer(outbox_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
        self->writing_ = false;
        if (ec) return self->fail("write", ec);
        self->outbox_.pop_front();
        self->write();
    });
}

void ws_peer::close() {
    if (!open_ || closing_ || failed_) return;
    closing_ = true;
    ws_.async_close(websocket::close_code::normal, [self = shared_from_this()](beast::error_code) {
        self->open_ = false;
    });
}

void ws_peer::fail(const std::string& what, beast::error_code ec) {
    bool was_open = open_;
    open_ = false;
    if (failed_ || closing_) return;
    failed_ = true;
    if (ec == websocket::error::closed && was_open) return h_.failed("closed by the server");
    if (h_.failed) h_.failed(what + ": " + ec.message());
}

} // namespace chat::loadgen
