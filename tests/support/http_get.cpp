#include "http_get.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cctype>

namespace chat::test {

http_result http_request(unsigned short port, boost::beast::http::verb method, const std::string& target,
                         std::optional<std::string> bearer, std::string body,
                         const std::map<std::string, std::string>& request_headers) {
    namespace http = boost::beast::http;
    boost::asio::io_context io;
    boost::beast::tcp_stream stream(io);
    boost::asio::ip::tcp::resolver resolver(io);
    stream.connect(resolver.resolve("127.0.0.1", std::to_string(port)));
    http::request<http::string_body> req(method, target, 11);
    req.set(http::field::host, "127.0.0.1");
    if (bearer) req.set(http::field::authorization, "Bearer " + *bearer);
    for (const auto& [name, value] : request_headers) req.set(name, value);
    req.body() = std::move(body);
    if (method != http::verb::get) req.prepare_payload();
    http::write(stream, req);
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> res;
    do { // an interim answer (100 Continue) comes before the answer
        res = {};
        http::read(stream, buffer, res);
    } while (res.result_int() >= 100 && res.result_int() < 200);
    boost::beast::error_code ec;
    stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    http_result out{static_cast<int>(res.result_int()), res.body(), std::string(res[http::field::content_type]), {}};
    for (const auto& f : res) {
        std::string name(f.name_string());
        for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        out.headers[name] = std::string(f.value());
    }
    return out;
}

} // namespace chat::test
