#pragma once
// A small local server speaking clamd's INSTREAM protocol on a unix socket, for machines
// without clamd: it reads the length-prefixed chunks and answers FOUND when the stream holds
// the EICAR test signature, OK otherwise, as clamd does.

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <arpa/inet.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>

namespace chat::test {

class clamd_server {
public:
    explicit clamd_server(std::filesystem::path socket) : path_(std::move(socket)), acceptor_(io_) {
        std::filesystem::remove(path_);
        acceptor_.open();
        acceptor_.bind(boost::asio::local::stream_protocol::endpoint(path_.string()));
        acceptor_.listen();
        thread_ = std::thread([this] { serve(); });
    }
    ~clamd_server() {
        stopping_ = true;
        boost::system::error_code ec;
        boost::asio::local::stream_protocol::socket poke(io_);
        poke.connect(boost::asio::local::stream_protocol::endpoint(path_.string()), ec);
        thread_.join();
        std::filesystem::remove(path_);
    }
    int scans() const { return scans_; }

private:
    void serve() {
        while (!stopping_) {
            boost::system::error_code ec;
            auto s = acceptor_.accept(ec);
            if (ec || stopping_) continue;
            std::string command(10, '\0'); // "zINSTREAM" and its NUL, exactly: the chunks follow
            boost::asio::read(s, boost::asio::buffer(command), ec);
            if (ec || command != std::string("zINSTREAM\0", 10)) continue;
            std::string stream;
            for (;;) {
                std::uint32_t length = 0;
                boost::asio::read(s, boost::asio::buffer(&length, 4), ec);
                if (ec) break;
                length = ntohl(length);
                if (length == 0) break;
                std::string chunk(length, '\0');
                boost::asio::read(s, boost::asio::buffer(chunk), ec);
                if (ec) break;
                stream += chunk;
            }
            if (ec) continue;
            ++scans_;
            std::string reply = stream.find("EICAR-STANDARD-ANTIVIRUS-TEST-FILE") != std::string::npos
                                    ? "stream: Eicar-Test-Signature FOUND"
                                    : "stream: OK";
            boost::asio::write(s, boost::asio::buffer(reply.c_str(), reply.size() + 1), ec);
        }
    }

    std::filesystem::path path_;
    boost::asio::io_context io_;
    boost::asio::local::stream_protocol::acceptor acceptor_;
    std::atomic<bool> stopping_{false};
    std::atomic<int> scans_{0};
    std::thread thread_;
};

} // namespace chat::test
