#pragma once
// A real HTTP GET against the server under test.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <optional>
#include <string>

namespace chat::test {

struct http_result {
    int status = 0;
    std::string body;
    std::string content_type;
};

inline http_result http_get(unsigned short port, const std::string& target, std::optional<std::string> bearer = {}) {
    namespace http = boost::beast::http;
    boost::asio::io_context io;
    boost::beast::tcp_stream stream(io);
    boost::asio::ip::tcp::resolver resolver(io);
    stream.connect(resolver.resolve("127.0.0.1", std::to_string(port)));
    http::request<http::empty_body> req(http::verb::get, target, 11);
    req.set(http::field::host, "127.0.0.1");
    if (bearer) req.set(http::field::authorization, "Bearer " + *bearer);
    http::write(stream, req);
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    boost::beast::error_code ec;
    stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    return {static_cast<int>(res.result_int()), res.body(), std::string(res[http::field::content_type])};
}

} // namespace chat::test
