#include "ws_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <stdexcept>

namespace chat::test {

struct ws_client::connection {
    boost::asio::io_context io;
    boost::beast::websocket::stream<boost::beast::tcp_stream> ws{io};
    boost::beast::flat_buffer buffer;
};

ws_client::ws_client(unsigned short port) : ws_client(port, options{}) {}

ws_client::ws_client(unsigned short port, options opts) : conn_(std::make_unique<connection>()) {
    namespace http = boost::beast::http;
    auto& ws = conn_->ws;
    boost::asio::ip::tcp::resolver resolver(conn_->io);
    boost::beast::get_lowest_layer(ws).connect(resolver.resolve("127.0.0.1", std::to_string(port)));
    boost::beast::get_lowest_layer(ws).socket().set_option(boost::asio::ip::tcp::no_delay(true));
    ws.set_option(boost::beast::websocket::stream_base::decorator([opts](boost::beast::websocket::request_type& req) {
        if (!opts.subprotocol.empty()) req.set(http::field::sec_websocket_protocol, opts.subprotocol);
        if (opts.bearer) req.set(http::field::authorization, "Bearer " + *opts.bearer);
        if (!opts.origin.empty()) req.set(http::field::origin, opts.origin);
    }));
    boost::beast::websocket::response_type res;
    ws.handshake(res, "127.0.0.1:" + std::to_string(port), "/ws");
    accepted_protocol_ = std::string(res[http::field::sec_websocket_protocol]);
}

ws_client::~ws_client() = default;

void ws_client::send_raw(const std::string& text, bool binary) {
    if (auto ec = try_send_raw(text, binary)) throw std::system_error(ec);
}

std::error_code ws_client::try_send_raw(const std::string& text, bool binary) {
    boost::beast::error_code ec;
    conn_->ws.binary(binary);
    conn_->ws.write(boost::asio::buffer(text), ec);
    return ec;
}

std::optional<nlohmann::json> ws_client::next(std::chrono::milliseconds timeout) {
    if (!backlog_.empty()) {
        auto j = std::move(backlog_.front());
        backlog_.pop_front();
        return j;
    }
    return read(timeout);
}

nlohmann::json ws_client::wait_for(const std::function<bool(const nlohmann::json&)>& match,
                                   std::chrono::milliseconds timeout) {
    for (auto it = backlog_.begin(); it != backlog_.end(); ++it)
        if (match(*it)) {
            auto j = std::move(*it);
            backlog_.erase(it);
            return j;
        }
    auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
        auto j = read(left);
        if (!j) break;
        if (match(*j)) return *j;
        backlog_.push_back(std::move(*j));
    }
    throw std::runtime_error("no matching frame within the timeout; last frames: " + describe_backlog());
}

nlohmann::json ws_client::wait_for(const std::string& type, std::chrono::milliseconds timeout) {
    return wait_for([&](const nlohmann::json& j) { return j.value("type", "") == type; }, timeout);
}

nlohmann::json ws_client::wait_for(const std::string& type, const std::string& conversation,
                                   std::chrono::milliseconds timeout) {
    return wait_for([&](const nlohmann::json& j) {
        return j.value("type", "") == type && j.value("conversation", "") == conversation;
    }, timeout);
}

nlohmann::json ws_client::request(nlohmann::json req) {
    auto id = "r" + std::to_string(++next_id_);
    req["id"] = id;
    send(req);
    return wait_for([&](const nlohmann::json& j) { return j.value("id", "") == id; });
}

bool ws_client::saw(const std::function<bool(const nlohmann::json&)>& match, std::chrono::milliseconds within) {
    try {
        wait_for(match, within);
        return true;
    } catch (const std::runtime_error&) {
        return false;
    }
}

bool ws_client::is_open() const { return conn_->ws.is_open() && !closed_; }

void ws_client::set_receive_buffer(int bytes) {
    boost::beast::get_lowest_layer(conn_->ws).socket().set_option(boost::asio::socket_base::receive_buffer_size(bytes));
}

int ws_client::wait_closed(std::chrono::milliseconds timeout) {
    auto until = std::chrono::steady_clock::now() + timeout;
    while (!closed_ && std::chrono::steady_clock::now() < until) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
        if (auto j = read(left)) backlog_.push_back(std::move(*j));
    }
    return closed_ ? static_cast<int>(conn_->ws.reason().code) : 0;
}

void ws_client::close() {
    boost::beast::error_code ec;
    conn_->ws.close(boost::beast::websocket::close_code::normal, ec);
}

std::optional<nlohmann::json> ws_client::read(std::chrono::milliseconds timeout) {
    if (closed_) return std::nullopt;
    if (!reading_) {
        reading_ = true;
        conn_->buffer.consume(conn_->buffer.size());
        conn_->ws.async_read(conn_->buffer, [this](boost::beast::error_code ec, std::size_t) {
            reading_ = false;
            if (ec) {
                closed_ = true;
                return;
            }
            received_.push_back(boost::beast::buffers_to_string(conn_->buffer.data()));
            ready_ = nlohmann::json::parse(received_.back());
        });
    }
    conn_->io.restart();
    auto until = std::chrono::steady_clock::now() + timeout;
    while (!ready_ && !closed_ && std::chrono::steady_clock::now() < until)
        conn_->io.run_one_for(std::chrono::milliseconds(20));
    if (!ready_) return std::nullopt;
    auto j = std::move(*ready_);
    ready_.reset();
    return j;
}

std::string ws_client::describe_backlog() const {
    std::string s;
    for (const auto& j : backlog_) s += j.dump().substr(0, 200) + "\n";
    return s.empty() ? "(none)" : s;
}

} // namespace chat::test
