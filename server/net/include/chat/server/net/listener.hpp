#pragma once
// Accepts TCP connections and gives each an HTTP session on its own strand.

#include "chat/server/net/connection.hpp"
#include "chat/server/net/gateway.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <memory>

namespace chat::server {

class listener : public std::enable_shared_from_this<listener> {
public:
    // Throws boost::system::system_error when the address cannot be bound.
    listener(boost::asio::io_context& io, boost::asio::ip::tcp::endpoint where, std::shared_ptr<gateway> gw);
    void run();
    void stop();
    unsigned short port() const { return acceptor_.local_endpoint().port(); }

private:
    void do_accept();
    void on_accept(boost::system::error_code ec, connection_socket socket);

    boost::asio::io_context& io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::shared_ptr<gateway> gw_;
};

} // namespace chat::server
