#pragma once
// A real HTTP server standing in for a ticket system: it keeps every request it is sent and
// answers with the status the test chooses. It can go down (nothing listens: connections are
// refused) and come back on the same port.

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace chat::test {

class webhook_receiver {
public:
    struct request {
        std::string target, body;
        std::map<std::string, std::string> headers; // lower-case names
        std::chrono::steady_clock::time_point at{}; // when it was read whole
        std::string header(const std::string& name) const {
            auto it = headers.find(name);
            return it == headers.end() ? std::string() : it->second;
        }
    };

    explicit webhook_receiver(unsigned short port = 0) {
        listen(port);
        port_ = acceptor_->local_endpoint().port();
    }
    ~webhook_receiver() { down(); }

    unsigned short port() const { return port_; }
    std::string url(const std::string& path = "/hooks") const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

    // The status every request is answered with from now on.
    void answer(int status) { status_ = status; }
    // Requests are kept (and recorded) but not answered until release(): the sender waits.
    void hold() { holding_ = true; }
    void release() {
        holding_ = false;
        std::vector<std::shared_ptr<connection>> waiting;
        {
            std::lock_guard lock(mutex_);
            waiting.swap(held_);
        }
        boost::asio::post(*io_, [waiting] {
            for (const auto& c : waiting) c->respond();
        });
    }
    // Stops listening and drops every connection: deliveries fail to connect.
    void down() {
        if (!thread_.joinable()) return;
        io_->stop();
        thread_.join();
        acceptor_.reset();
        io_.reset(); // its pending handlers go, and with them every connection
    }
    // Listens again on the same port.
    void up() {
        if (thread_.joinable()) return;
        listen(port_);
    }

    std::vector<request> received() const {
        std::lock_guard lock(mutex_);
        return received_;
    }
    std::size_t count() const { return received().size(); }
    // Waits until at least `n` requests came (or `limit` passed).
    bool wait_for(std::size_t n, std::chrono::milliseconds limit = std::chrono::seconds(10)) const {
        auto until = std::chrono::steady_clock::now() + limit;
        while (count() < n && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        return count() >= n;
    }

private:
    void listen(unsigned short port) {
        namespace ip = boost::asio::ip;
        io_ = std::make_unique<boost::asio::io_context>();
        acceptor_.emplace(*io_);
        ip::tcp::endpoint at(ip::make_address("127.0.0.1"), port);
        acceptor_->open(at.protocol());
        acceptor_->set_option(ip::tcp::acceptor::reuse_address(true));
        acceptor_->bind(at);
        acceptor_->listen();
        accept();
        thread_ = std::thread([this] { io_->run(); });
    }

    void accept() {
        acceptor_->async_accept([this](boost::system::error_code ec, boost::asio::ip::tcp::socket s) {
            if (ec) return;
            std::make_shared<connection>(*this, std::move(s))->read();
            accept();
        });
    }

    // One kept-alive connection: request after request.
    struct connection : std::enable_shared_from_this<connection> {
        connection(webhook_receiver& r, boost::asio::ip::tcp::socket s) : owner(r), stream(std::move(s)) {}
        void read() {
            req = {};
            boost::beast::http::async_read(stream, buffer, req, [self = shared_from_this()](boost::beast::error_code ec, std::size_t) {
                if (ec) return;
                self->on_request();
            });
        }
        void on_request() {
            request r{std::string(req.target()), req.body(), {}, std::chrono::steady_clock::now()};
            for (const auto& f : req) {
                std::string name(f.name_string());
                for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
                r.headers[name] = std::string(f.value());
            }
            {
                std::lock_guard lock(owner.mutex_);
                owner.received_.push_back(std::move(r));
                if (owner.holding_) return owner.held_.push_back(shared_from_this());
            }
            respond();
        }
        void respond() {
            res = {static_cast<boost::beast::http::status>(owner.status_.load()), 11};
            res.keep_alive(req.keep_alive());
            res.body() = "{}";
            res.prepare_payload();
            boost::beast::http::async_write(stream, res, [self = shared_from_this()](boost::beast::error_code ec, std::size_t) {
                if (!ec && self->res.keep_alive()) self->read();
            });
        }
        webhook_receiver& owner;
        boost::beast::tcp_stream stream;
        boost::beast::flat_buffer buffer;
        boost::beast::http::request<boost::beast::http::string_body> req;
        boost::beast::http::response<boost::beast::http::string_body> res;
    };

    std::unique_ptr<boost::asio::io_context> io_;
    std::optional<boost::asio::ip::tcp::acceptor> acceptor_;
    std::thread thread_;
    unsigned short port_ = 0;
    std::atomic<int> status_{200};
    mutable std::mutex mutex_;
    std::vector<request> received_;
    std::atomic<bool> holding_{false};
    std::vector<std::shared_ptr<connection>> held_;
};

} // namespace chat::test
