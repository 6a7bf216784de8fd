#pragma once
// One HTTP connection: health, readiness, metrics, the read API, the web clients and the
// development token endpoint, or an upgrade to WebSocket at /ws.

#include "chat/server/net/connection.hpp"
#include "chat/server/net/gateway.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <memory>
#include <optional>

namespace chat::server {

class http_session : public std::enable_shared_from_this<http_session> {
public:
    http_session(connection_socket&& socket, std::shared_ptr<gateway> gw);
    void run();

private:
    using request = boost::beast::http::request<boost::beast::http::string_body>;
    using response = boost::beast::http::response<boost::beast::http::string_body>;

    void do_read();
    void on_read(boost::beast::error_code ec, std::size_t bytes);
    void route(request req);
    void api(const request& req, const identity& who);
    void serve_file(const request& req, std::string_view path);
    void dev_token(std::string_view query);
    void reply(boost::beast::http::status status, std::string body, std::string_view type);
    // Sends out_, whose status and extra headers the caller has set.
    void reply_prepared(std::string body, std::string_view type, std::string_view cache = "no-store");
    void reply_json(int status, const nlohmann::json& body);
    void on_write(bool keep_alive, boost::beast::error_code ec, std::size_t bytes);

    connection_stream stream_;
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    std::shared_ptr<gateway> gw_;
    unsigned version_ = 11;
    bool keep_alive_ = true;
    std::shared_ptr<response> out_;
};

} // namespace chat::server
