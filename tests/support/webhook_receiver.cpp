#include "webhook_receiver.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <cctype>
#include <mutex>
#include <optional>
#include <thread>

namespace chat::test {

namespace http = boost::beast::http;

struct webhook_receiver::server {
    // One kept-alive connection: request after request.
    struct connection : std::enable_shared_from_this<connection> {
        connection(server& s, boost::asio::ip::tcp::socket socket) : owner(s), stream(std::move(socket)) {}
        void read() {
            req = {};
            http::async_read(stream, buffer, req, [self = shared_from_this()](boost::beast::error_code ec, std::size_t) {
                if (!ec) self->on_request();
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
                std::lock_guard lock(owner.mutex);
                owner.received.push_back(std::move(r));
                if (owner.holding) return owner.held.push_back(shared_from_this());
            }
            respond();
        }
        void respond() {
            res = {static_cast<http::status>(owner.status.load()), 11};
            res.keep_alive(req.keep_alive());
            res.body() = "{}";
            res.prepare_payload();
            http::async_write(stream, res, [self = shared_from_this()](boost::beast::error_code ec, std::size_t) {
                if (!ec && self->res.keep_alive()) self->read();
            });
        }
        server& owner;
        boost::beast::tcp_stream stream;
        boost::beast::flat_buffer buffer;
        http::request<http::string_body> req;
        http::response<http::string_body> res;
    };

    void listen(unsigned short at_port) {
        namespace ip = boost::asio::ip;
        io = std::make_unique<boost::asio::io_context>();
        acceptor.emplace(*io);
        ip::tcp::endpoint at(ip::make_address("127.0.0.1"), at_port);
        acceptor->open(at.protocol());
        acceptor->set_option(ip::tcp::acceptor::reuse_address(true));
        acceptor->bind(at);
        acceptor->listen();
        port = acceptor->local_endpoint().port();
        accept();
        thread = std::thread([this] { io->run(); });
    }
    void accept() {
        acceptor->async_accept([this](boost::system::error_code ec, boost::asio::ip::tcp::socket s) {
            if (ec) return;
            std::make_shared<connection>(*this, std::move(s))->read();
            accept();
        });
    }
    void stop() {
        if (!thread.joinable()) return;
        io->stop();
        thread.join();
        acceptor.reset();
        {
            std::lock_guard lock(mutex);
            held.clear();
        }
        io.reset(); // its pending handlers go, and with them every connection
    }

    std::unique_ptr<boost::asio::io_context> io;
    std::optional<boost::asio::ip::tcp::acceptor> acceptor;
    std::thread thread;
    unsigned short port = 0;
    std::atomic<int> status{200};
    mutable std::mutex mutex;
    std::vector<request> received;
    std::atomic<bool> holding{false};
    std::vector<std::shared_ptr<connection>> held;
};

webhook_receiver::webhook_receiver(unsigned short port) : server_(std::make_unique<server>()) { server_->listen(port); }
webhook_receiver::~webhook_receiver() { down(); }

unsigned short webhook_receiver::port() const { return server_->port; }
void webhook_receiver::answer(int status) { server_->status = status; }
void webhook_receiver::hold() { server_->holding = true; }

void webhook_receiver::release() {
    server_->holding = false;
    std::vector<std::shared_ptr<server::connection>> waiting;
    {
        std::lock_guard lock(server_->mutex);
        waiting.swap(server_->held);
    }
    if (!server_->io) return; // down: the held connections went with it
    boost::asio::post(*server_->io, [waiting] {
        for (const auto& c : waiting) c->respond();
    });
}

void webhook_receiver::down() { server_->stop(); }

void webhook_receiver::up() {
    if (!server_->thread.joinable()) server_->listen(server_->port);
}

std::vector<webhook_receiver::request> webhook_receiver::received() const {
    std::lock_guard lock(server_->mutex);
    return server_->received;
}

bool webhook_receiver::wait_for(std::size_t n, std::chrono::milliseconds limit) const {
    auto until = std::chrono::steady_clock::now() + limit;
    while (count() < n && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return count() >= n;
}

} // namespace chat::test
