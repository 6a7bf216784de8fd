#pragma once
// One endpoint's connection, as one shard's sender uses it: POSTs one body at a time, keeping
// the connection for the next (a kept connection that turns out closed is replaced once), over
// http or https (the peer's certificate and name checked).

#include "chat/server/webhooks/endpoint.hpp"
#include "chat/server/webhooks/post_result.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace chat::server::webhooks {

// The TLS settings of an endpoint: the system's CAs, or its own `ca_file`.
tls_context_ptr tls_context(const endpoint& e);

class http_poster : public std::enable_shared_from_this<http_poster> {
public:
    using result = post_result;
    using header_list = std::vector<std::pair<std::string, std::string>>;

    // `strand`: where it runs and answers. `tls` is needed for an https URL.
    http_poster(boost::asio::any_io_executor strand, url_parts url, std::chrono::milliseconds timeout,
                std::shared_ptr<boost::asio::ssl::context> tls);
    void post(std::string body, header_list headers, std::function<void(result)> done);
    void close();

private:
    using plain_stream = boost::beast::tcp_stream;
    using tls_stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

    void connect();
    void on_connected();
    void send(bool reused);
    void on_read(bool reused, boost::beast::error_code ec);
    void finish(result r);
    plain_stream& lowest();
    template <class F> void with_stream(F&& f) {
        if (tls_stream_) f(*tls_stream_);
        else f(*plain_);
    }

    boost::asio::any_io_executor strand_;
    url_parts url_;
    std::chrono::milliseconds timeout_;
    std::shared_ptr<boost::asio::ssl::context> tls_;
    boost::asio::ip::tcp::resolver resolver_;
    std::optional<plain_stream> plain_;
    std::optional<tls_stream> tls_stream_;
    bool connected_ = false;
    std::chrono::steady_clock::time_point last_used_{};
    boost::beast::flat_buffer buffer_;
    boost::beast::http::request<boost::beast::http::string_body> request_;
    std::optional<boost::beast::http::response_parser<boost::beast::http::string_body>> response_;
    std::function<void(result)> done_;
};

} // namespace chat::server::webhooks
