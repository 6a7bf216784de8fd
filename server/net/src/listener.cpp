#include "chat/server/net/listener.hpp"

#include "chat/server/net/http_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>

namespace chat::server {

listener::listener(boost::asio::io_context& io, boost::asio::ip::tcp::endpoint where, std::shared_ptr<gateway> gw)
    : io_(io), acceptor_(boost::asio::make_strand(io)), gw_(std::move(gw)) {
    acceptor_.open(where.protocol());
    acceptor_.set_option(boost::asio::socket_base::reuse_address(true));
    acceptor_.bind(where);
    acceptor_.listen(boost::asio::socket_base::max_listen_connections);
}

void listener::run() { do_accept(); }

void listener::stop() {
    boost::asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
        boost::system::error_code ignored;
        self->acceptor_.close(ignored);
    });
}

void listener::do_accept() {
    acceptor_.async_accept(connection_executor(io_.get_executor()),
                           boost::beast::bind_front_handler(&listener::on_accept, shared_from_this()));
}

void listener::on_accept(boost::system::error_code ec, connection_socket socket) {
    if (ec == boost::asio::error::operation_aborted) return;
    if (!ec) {
        if (gw_->connections.load() >= gw_->cfg.limits.max_connections) {
            socket.close(ec); // over the connection limit: refused at once
        } else {
            // Chat frames are small and latency matters: no Nagle delay behind an unacknowledged one.
            socket.set_option(boost::asio::ip::tcp::no_delay(true), ec);
            std::make_shared<http_session>(std::move(socket), gw_)->run();
        }
    }
    if (acceptor_.is_open()) do_accept();
}

} // namespace chat::server
