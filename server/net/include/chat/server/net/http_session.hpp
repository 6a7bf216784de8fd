#pragma once
// One HTTP connection: health, readiness, metrics, the HTTP API (reads, and files sent in
// the chat: http_attachments.cpp), the web clients and the development token endpoint, or an
// upgrade to WebSocket at /ws. The header is read first: an upload's body streams to the file
// store, any other body is read whole (small).

#include "chat/server/net/connection.hpp"
#include "chat/server/net/gateway.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <functional>
#include <memory>
#include <optional>

namespace chat::server {

class http_session : public std::enable_shared_from_this<http_session> {
public:
    http_session(connection_socket&& socket, std::shared_ptr<gateway> gw);
    void run();

private:
    using request = boost::beast::http::request<boost::beast::http::string_body>;
    using request_header = boost::beast::http::request_header<>;
    using response = boost::beast::http::response<boost::beast::http::string_body>;

    void do_read();
    void on_header(boost::beast::error_code ec, std::size_t bytes);
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
    // A page of another origin allowed by [origins] (the widget embedded in a product) may call the API.
    void note_origin(const request_header& h);
    void allow_origin(boost::beast::http::fields& f) const;
    void preflight();
    // After a refusal sent before the request's body was read: that body is read and dropped
    // for a moment, so that the client reads the answer rather than a reset.
    void linger();

    // http_tickets.cpp: what the ticket system reports of a ticket (signed, not a token)
    static constexpr std::string_view tickets_prefix = "/api/v1/tickets/";
    static constexpr std::string_view ticket_report_suffix = "/status";
    static bool is_ticket_report(std::string_view path);
    void ticket_report(const request& req, std::string_view path);

    // http_attachments.cpp: files in the chat
    struct upload;
    struct download;
    static bool is_upload(const request_header& h);
    void begin_upload();
    void refuse_upload(int status, const nlohmann::json& body);
    void on_upload_allowed(int status, nlohmann::json body);
    void read_chunk();
    void on_chunk(boost::beast::error_code ec, std::size_t bytes);
    void on_upload_stored(int status, nlohmann::json body);
    void begin_download(const identity& who, std::string id);
    void on_download_allowed(int status, nlohmann::json body);
    void send_chunk();
    void on_chunk_sent(boost::beast::error_code ec, std::size_t bytes);
    // Runs `work` on the disk threads, then `then` on the connection's strand. A connection has
    // one such step at a time (the next chunk is read only after), so no strand is needed there:
    // a strand's state would belong to the pool, and a session outliving it at shutdown would touch it.
    void on_disk(std::function<void()> work, std::function<void()> then);

    connection_stream stream_;
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    std::shared_ptr<gateway> gw_;
    unsigned version_ = 11;
    bool keep_alive_ = true;
    bool linger_ = false; // the reply is sent before the request's body was read
    std::string cors_origin_; // the request's Origin when another origin allowed to call the API
    std::shared_ptr<response> out_;
    std::shared_ptr<upload> upload_; // shared: the types are complete only in http_attachments.cpp
    std::shared_ptr<download> download_;
};

} // namespace chat::server
