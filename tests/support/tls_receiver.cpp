#include "tls_receiver.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace chat::test {

struct tls_receiver::server {
    server(const std::filesystem::path& certificate, const std::filesystem::path& key)
        : ctx(boost::asio::ssl::context::tls_server), acceptor(io) {
        ctx.use_certificate_chain_file(certificate.string());
        ctx.use_private_key_file(key.string(), boost::asio::ssl::context::pem);
        namespace ip = boost::asio::ip;
        ip::tcp::endpoint at(ip::make_address("127.0.0.1"), 0);
        acceptor.open(at.protocol());
        acceptor.bind(at);
        acceptor.listen();
        port = acceptor.local_endpoint().port();
        thread = std::thread([this] { serve(); });
    }
    ~server() {
        stopping = true;
        boost::system::error_code ec;
        boost::asio::ip::tcp::socket poke(io);
        poke.connect(acceptor.local_endpoint(), ec);
        thread.join();
    }

    void serve() {
        namespace http = boost::beast::http;
        while (!stopping) {
            boost::system::error_code ec;
            auto socket = acceptor.accept(ec);
            if (ec || stopping) continue;
            boost::beast::ssl_stream<boost::asio::ip::tcp::socket> s(std::move(socket), ctx);
            s.handshake(boost::asio::ssl::stream_base::server, ec);
            if (ec) {
                ++refused;
                continue;
            }
            // One request per connection (answered "Connection: close"), so one thread serves all.
            boost::beast::flat_buffer buffer;
            http::request<http::string_body> req;
            http::read(s, buffer, req, ec);
            if (ec) continue;
            {
                std::lock_guard lock(mutex);
                bodies.push_back(req.body());
            }
            http::response<http::string_body> res{http::status::ok, 11};
            res.keep_alive(false);
            res.prepare_payload();
            http::write(s, res, ec);
            s.shutdown(ec);
        }
    }

    boost::asio::io_context io;
    boost::asio::ssl::context ctx;
    boost::asio::ip::tcp::acceptor acceptor;
    unsigned short port = 0;
    std::thread thread;
    std::atomic<bool> stopping{false};
    std::atomic<int> refused{0};
    mutable std::mutex mutex;
    std::vector<std::string> bodies;
};

tls_receiver::tls_receiver() {
    auto cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=localhost"
               " -addext subjectAltName=DNS:localhost -keyout " +
               key().string() + " -out " + certificate().string() + " 2>/dev/null";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("openssl could not make a certificate");
    server_ = std::make_unique<server>(certificate(), key());
}

tls_receiver::~tls_receiver() = default;

std::string tls_receiver::url(const std::string& host) const {
    return "https://" + host + ":" + std::to_string(server_->port) + "/hooks";
}

std::vector<std::string> tls_receiver::bodies() const {
    std::lock_guard lock(server_->mutex);
    return server_->bodies;
}

int tls_receiver::refused() const { return server_->refused; }

} // namespace chat::test
