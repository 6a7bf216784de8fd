#pragma once
// An https server standing in for a ticket system, with a certificate made for the test (by
// the openssl command, for the name localhost alone): it answers each request 200 and keeps it.

#include "redis_fixture.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace chat::test {

class tls_receiver {
public:
    tls_receiver() : ctx_(boost::asio::ssl::context::tls_server), acceptor_(io_) {
        auto cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=localhost"
                   " -addext subjectAltName=DNS:localhost -keyout " +
                   key().string() + " -out " + certificate().string() + " 2>/dev/null";
        if (std::system(cmd.c_str()) != 0) throw std::runtime_error("openssl could not make a certificate");
        ctx_.use_certificate_chain_file(certificate().string());
        ctx_.use_private_key_file(key().string(), boost::asio::ssl::context::pem);
        namespace ip = boost::asio::ip;
        ip::tcp::endpoint at(ip::make_address("127.0.0.1"), 0);
        acceptor_.open(at.protocol());
        acceptor_.bind(at);
        acceptor_.listen();
        port_ = acceptor_.local_endpoint().port();
        thread_ = std::thread([this] { serve(); });
    }
    ~tls_receiver() {
        stopping_ = true;
        boost::system::error_code ec;
        boost::asio::ip::tcp::socket poke(io_);
        poke.connect(acceptor_.local_endpoint(), ec);
        thread_.join();
    }

    std::filesystem::path certificate() const { return dir_.path() / "cert.pem"; }
    std::string url(const std::string& host = "localhost") const { return "https://" + host + ":" + std::to_string(port_) + "/hooks"; }
    std::vector<std::string> bodies() const {
        std::lock_guard lock(mutex_);
        return bodies_;
    }
    // Connections whose TLS handshake failed (the client refused the certificate).
    int refused() const { return refused_; }

private:
    std::filesystem::path key() const { return dir_.path() / "key.pem"; }

    void serve() {
        namespace http = boost::beast::http;
        while (!stopping_) {
            boost::system::error_code ec;
            auto socket = acceptor_.accept(ec);
            if (ec || stopping_) continue;
            boost::beast::ssl_stream<boost::asio::ip::tcp::socket> s(std::move(socket), ctx_);
            s.handshake(boost::asio::ssl::stream_base::server, ec);
            if (ec) {
                ++refused_;
                continue;
            }
            // One request per connection (answered "Connection: close"), so one thread serves all.
            boost::beast::flat_buffer buffer;
            http::request<http::string_body> req;
            http::read(s, buffer, req, ec);
            if (ec) continue;
            {
                std::lock_guard lock(mutex_);
                bodies_.push_back(req.body());
            }
            http::response<http::string_body> res{http::status::ok, 11};
            res.keep_alive(false);
            res.prepare_payload();
            http::write(s, res, ec);
            s.shutdown(ec);
        }
    }

    temp_dir dir_;
    boost::asio::io_context io_;
    boost::asio::ssl::context ctx_;
    boost::asio::ip::tcp::acceptor acceptor_;
    unsigned short port_ = 0;
    std::thread thread_;
    std::atomic<bool> stopping_{false};
    std::atomic<int> refused_{0};
    mutable std::mutex mutex_;
    std::vector<std::string> bodies_;
};

} // namespace chat::test
