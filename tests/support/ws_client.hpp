#pragma once
// A real WebSocket client for integration tests: Beast on its own io_context, with reads
// that give up after a timeout instead of hanging the test.

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace chat::test {

class ws_client {
public:
    struct options {
        std::optional<std::string> bearer; // Authorization header on the upgrade
        std::string subprotocol = "chat.v1";
        std::string origin;
    };

    explicit ws_client(unsigned short port) : ws_client(port, options{}) {}
    ws_client(unsigned short port, options opts) : ws_(io_) {
        namespace http = boost::beast::http;
        boost::asio::ip::tcp::resolver resolver(io_);
        boost::beast::get_lowest_layer(ws_).connect(resolver.resolve("127.0.0.1", std::to_string(port)));
        boost::beast::get_lowest_layer(ws_).socket().set_option(boost::asio::ip::tcp::no_delay(true));
        ws_.set_option(boost::beast::websocket::stream_base::decorator([opts](boost::beast::websocket::request_type& req) {
            if (!opts.subprotocol.empty()) req.set(http::field::sec_websocket_protocol, opts.subprotocol);
            if (opts.bearer) req.set(http::field::authorization, "Bearer " + *opts.bearer);
            if (!opts.origin.empty()) req.set(http::field::origin, opts.origin);
        }));
        boost::beast::websocket::response_type res;
        ws_.handshake(res, "127.0.0.1:" + std::to_string(port), "/ws");
        accepted_protocol_ = std::string(res[http::field::sec_websocket_protocol]);
    }

    const std::string& accepted_protocol() const { return accepted_protocol_; }

    void send(const nlohmann::json& j) { send_raw(j.dump()); }
    void send_raw(const std::string& text, bool binary = false) {
        if (auto ec = try_send_raw(text, binary)) throw boost::system::system_error(ec);
    }
    // Sends and reports instead of throwing: a frame the server refuses part-way meets a closed socket.
    boost::beast::error_code try_send_raw(const std::string& text, bool binary = false) {
        boost::beast::error_code ec;
        ws_.binary(binary);
        ws_.write(boost::asio::buffer(text), ec);
        return ec;
    }

    // The next frame, or nothing when none came in time (the connection stays usable).
    std::optional<nlohmann::json> next(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        if (!backlog_.empty()) {
            auto j = std::move(backlog_.front());
            backlog_.pop_front();
            return j;
        }
        return read(timeout);
    }

    // The first frame (waiting ones first) for which `match` holds; others are kept for later.
    nlohmann::json wait_for(const std::function<bool(const nlohmann::json&)>& match,
                            std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
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

    nlohmann::json wait_for(const std::string& type, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        return wait_for([&](const nlohmann::json& j) { return j.value("type", "") == type; }, timeout);
    }
    // A frame of `type` about `conversation`.
    nlohmann::json wait_for(const std::string& type, const std::string& conversation,
                            std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        return wait_for([&](const nlohmann::json& j) {
            return j.value("type", "") == type && j.value("conversation", "") == conversation;
        }, timeout);
    }

    // Sends a request with a fresh id and returns its answer (ok, error, pong).
    nlohmann::json request(nlohmann::json req) {
        auto id = "r" + std::to_string(++next_id_);
        req["id"] = id;
        send(req);
        return wait_for([&](const nlohmann::json& j) { return j.value("id", "") == id; });
    }

    // Whether a frame matching `match` is already waiting or arrives within `within`.
    bool saw(const std::function<bool(const nlohmann::json&)>& match,
             std::chrono::milliseconds within = std::chrono::milliseconds(300)) {
        try {
            wait_for(match, within);
            return true;
        } catch (const std::runtime_error&) {
            return false;
        }
    }

    bool is_open() const { return ws_.is_open() && !closed_; }
    // The kernel's receive buffer (no autotuning): a small one plays a client that stops reading.
    void set_receive_buffer(int bytes) {
        boost::beast::get_lowest_layer(ws_).socket().set_option(boost::asio::socket_base::receive_buffer_size(bytes));
    }
    std::deque<nlohmann::json>& backlog() { return backlog_; }
    // Every frame this client has received, as the server sent it (for privacy checks).
    const std::vector<std::string>& received() const { return received_; }
    // Reads until the server closes, and gives its close code (0 when it did not close in time).
    int wait_closed(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        auto until = std::chrono::steady_clock::now() + timeout;
        while (!closed_ && std::chrono::steady_clock::now() < until) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
            if (auto j = read(left)) backlog_.push_back(std::move(*j));
        }
        return closed_ ? static_cast<int>(ws_.reason().code) : 0;
    }

    void close() {
        boost::beast::error_code ec;
        ws_.close(boost::beast::websocket::close_code::normal, ec);
    }

private:
    std::optional<nlohmann::json> read(std::chrono::milliseconds timeout) {
        if (closed_) return std::nullopt;
        if (!reading_) {
            reading_ = true;
            buffer_.consume(buffer_.size());
            ws_.async_read(buffer_, [this](boost::beast::error_code ec, std::size_t) {
                reading_ = false;
                if (ec) {
                    closed_ = true;
                    return;
                }
                received_.push_back(boost::beast::buffers_to_string(buffer_.data()));
                ready_ = nlohmann::json::parse(received_.back());
            });
        }
        io_.restart();
        auto until = std::chrono::steady_clock::now() + timeout;
        while (!ready_ && !closed_ && std::chrono::steady_clock::now() < until) io_.run_one_for(std::chrono::milliseconds(20));
        if (!ready_) return std::nullopt;
        auto j = std::move(*ready_);
        ready_.reset();
        return j;
    }

    std::string describe_backlog() const {
        std::string s;
        for (const auto& j : backlog_) s += j.dump().substr(0, 200) + "\n";
        return s.empty() ? "(none)" : s;
    }

    boost::asio::io_context io_;
    boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
    boost::beast::flat_buffer buffer_;
    std::deque<nlohmann::json> backlog_;
    std::vector<std::string> received_;
    std::optional<nlohmann::json> ready_;
    bool reading_ = false;
    bool closed_ = false;
    int next_id_ = 0;
    std::string accepted_protocol_;
};

} // namespace chat::test
