#include "chat/server/webhooks/http_poster.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <openssl/ssl.h>

namespace chat::server::webhooks {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

namespace {

// A kept connection idle longer than this may have been closed by the peer: a new one is made.
constexpr auto keep_for = std::chrono::seconds(4);
constexpr std::uint64_t answer_limit = 64 * 1024;

} // namespace

std::shared_ptr<ssl::context> tls_context(const endpoint& e) {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                     ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    if (e.ca_file.empty()) ctx->set_default_verify_paths();
    else ctx->load_verify_file(e.ca_file);
    ctx->set_verify_mode(ssl::verify_peer);
    return ctx;
}

http_poster::http_poster(boost::asio::any_io_executor strand, url_parts url, std::chrono::milliseconds timeout,
                         std::shared_ptr<ssl::context> tls)
    : strand_(strand), url_(std::move(url)), timeout_(timeout), tls_(std::move(tls)), resolver_(strand) {}

http_poster::plain_stream& http_poster::lowest() { return tls_stream_ ? beast::get_lowest_layer(*tls_stream_) : *plain_; }

void http_poster::post(std::string body, header_list headers, std::function<void(result)> done) {
    done_ = std::move(done);
    request_ = {http::verb::post, url_.target, 11};
    request_.set(http::field::host, url_.port == (url_.tls ? "443" : "80") ? url_.host : url_.host + ':' + url_.port);
    request_.set(http::field::user_agent, "chatd-webhooks/1");
    request_.set(http::field::content_type, "application/json");
    for (auto& [name, value] : headers) request_.set(name, value);
    request_.keep_alive(true);
    request_.body() = std::move(body);
    request_.prepare_payload();
    bool fresh = connected_ && std::chrono::steady_clock::now() - last_used_ < keep_for;
    if (fresh) return send(true);
    close();
    connect();
}

void http_poster::close() {
    connected_ = false;
    beast::error_code ignored;
    if (plain_) plain_->socket().close(ignored);
    if (tls_stream_) beast::get_lowest_layer(*tls_stream_).socket().close(ignored);
    plain_.reset();
    tls_stream_.reset();
}

void http_poster::connect() {
    if (url_.tls) {
        if (!tls_) return finish({0, "https needs TLS settings"});
        tls_stream_.emplace(strand_, *tls_);
        // The name the certificate must carry, and SNI for servers with several.
        // SSL_set_tlsext_host_name, without the macro's C cast.
        if (!SSL_ctrl(tls_stream_->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                      static_cast<void*>(url_.host.data())))
            return finish({0, "TLS: cannot set the server name"});
        tls_stream_->set_verify_callback(ssl::host_name_verification(url_.host));
    } else {
        plain_.emplace(strand_);
    }
    resolver_.async_resolve(url_.host, url_.port, [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type found) {
        if (ec) return self->finish({0, "cannot resolve " + self->url_.host + ": " + ec.message()});
        self->lowest().expires_after(self->timeout_);
        self->lowest().async_connect(found, [self](beast::error_code cec, const tcp::endpoint&) {
            if (cec) return self->finish({0, "cannot connect: " + cec.message()});
            if (!self->tls_stream_) return self->on_connected();
            self->tls_stream_->async_handshake(ssl::stream_base::client, [self](beast::error_code hec) {
                if (hec) return self->finish({0, "TLS handshake: " + hec.message()});
                self->on_connected();
            });
        });
    });
}

void http_poster::on_connected() {
    connected_ = true;
    send(false);
}

void http_poster::send(bool reused) {
    lowest().expires_after(timeout_);
    response_.emplace();
    response_->body_limit(answer_limit);
    buffer_.clear();
    with_stream([&](auto& s) {
        http::async_write(s, request_, [self = shared_from_this(), reused, &s](beast::error_code ec, std::size_t) {
            if (ec) return self->on_read(reused, ec);
            http::async_read(s, self->buffer_, *self->response_,
                             [self, reused](beast::error_code rec, std::size_t) { self->on_read(reused, rec); });
        });
    });
}

void http_poster::on_read(bool reused, beast::error_code ec) {
    if (ec) {
        close();
        // The peer closed a kept connection before answering: sent again once on a new one
        // (at least once: the receiver tells the two apart by X-Chatd-Delivery).
        if (reused && ec != beast::error::timeout) return connect();
        return finish({0, ec == beast::error::timeout ? "no answer within the timeout" : ec.message()});
    }
    auto& res = response_->get();
    last_used_ = std::chrono::steady_clock::now();
    if (!res.keep_alive()) close();
    finish({static_cast<int>(res.result_int()), {}});
}

void http_poster::finish(result r) {
    if (!r.error.empty()) close();
    auto done = std::move(done_);
    done_ = nullptr;
    if (done) done(std::move(r));
}

} // namespace chat::server::webhooks
