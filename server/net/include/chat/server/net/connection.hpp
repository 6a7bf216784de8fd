#pragma once
// The types of a client connection: its socket and stream run on a strand of the io_context,
// named by its concrete type rather than through any_io_executor, so that Beast's reads and
// writes (the hot path) dispatch their handlers without type erasure.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/tcp_stream.hpp>

namespace chat::server {

using connection_executor = boost::asio::strand<boost::asio::io_context::executor_type>;
using connection_socket =
    boost::asio::basic_stream_socket<boost::asio::ip::tcp, connection_executor>;
using connection_stream = boost::beast::basic_stream<boost::asio::ip::tcp, connection_executor>;

} // namespace chat::server
