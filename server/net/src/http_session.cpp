#include "chat/server/net/http_session.hpp"

#include "chat/server/net/dev_tokens.hpp"
#include "chat/server/net/websocket_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/websocket.hpp>

#include <array>

namespace chat::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;

constexpr std::size_t header_limit = 16 * 1024; // room for a token of 8 KiB in Authorization
constexpr std::size_t body_limit = 64 * 1024;

// The console, the monitor and the demo page load only their own files and talk only to chatd.
constexpr std::string_view page_policy =
    "default-src 'self'; connect-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

} // namespace

http_session::http_session(connection_socket&& socket, std::shared_ptr<gateway> gw)
    : stream_(std::move(socket)), gw_(std::move(gw)) {}

void http_session::run() {
    boost::asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&http_session::do_read, shared_from_this()));
}

void http_session::do_read() {
    parser_.emplace();
    parser_->header_limit(header_limit);
    parser_->body_limit(boost::none); // an upload's limit is its sender's tier's, known once the header is read
    stream_.expires_after(gw_->cfg.limits.handshake_timeout * 3);
    http::async_read_header(stream_, buffer_, *parser_, beast::bind_front_handler(&http_session::on_header, shared_from_this()));
}

void http_session::on_header(beast::error_code ec, std::size_t) {
    if (!ec) note_origin(parser_->get());
    if (!ec && is_upload(parser_->get())) return begin_upload();
    if (!ec && !parser_->is_done()) {
        if (parser_->content_length().value_or(0) > body_limit) {
            version_ = parser_->get().version();
            keep_alive_ = false;
            linger_ = true;
            return reply(http::status::payload_too_large, "request bodies up to 64 KiB here\n", "text/plain");
        }
        parser_->body_limit(body_limit);
        return http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&http_session::on_read, shared_from_this()));
    }
    on_read(ec, 0);
}

void http_session::on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream) {
        stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
        return;
    }
    if (ec == http::error::header_limit) {
        keep_alive_ = false;
        return reply(http::status::request_header_fields_too_large, "request headers larger than 16 KiB\n", "text/plain");
    }
    if (ec) return; // timeout, oversized body, reset: drop the connection
    auto req = parser_->release();
    version_ = req.version();
    keep_alive_ = req.keep_alive();
    if (beast::websocket::is_upgrade(req)) {
        if (req.target() != "/ws") return reply(http::status::not_found, "WebSocket lives at /ws\n", "text/plain");
        if (gw_->draining) return reply(http::status::service_unavailable, "draining\n", "text/plain");
        if (gw_->unauthenticated.load() >= gw_->cfg.limits.max_unauthenticated)
            return reply(http::status::service_unavailable, "too many connections waiting for their hello\n", "text/plain");
        stream_.expires_never();
        std::make_shared<websocket_session>(stream_.release_socket(), gw_)->run(std::move(req));
        return;
    }
    route(std::move(req));
}

void http_session::route(request req) {
    auto target = std::string_view(req.target());
    auto path = target.substr(0, target.find('?'));
    if (req.method() == http::verb::options && path.rfind("/api/v1/", 0) == 0) return preflight();
    constexpr std::string_view dead_letters = "/api/v1/webhooks/dead";
    bool replay = req.method() == http::verb::post && path.rfind(dead_letters, 0) == 0 && path.ends_with("/replay");
    if (is_ticket_report(path)) return ticket_report(req, path);
    if (req.method() != http::verb::get && req.method() != http::verb::head && !replay)
        return reply(http::status::method_not_allowed, "only GET\n", "text/plain");
    if (path == "/healthz") return reply(http::status::ok, "ok\n", "text/plain");
    if (path == "/readyz") {
        auto r = gw_->node->report();
        bool ready = r.ready && !gw_->draining;
        std::string body = std::string(ready ? "ready" : "not ready") + "\nnode " + r.id + "\nredis " +
                           (r.redis_up ? "up" : "down") + "\nbus " + (r.bus_up ? "up" : "down") + "\nnodes " +
                           std::to_string(r.nodes_alive) + "\nshards owned " + std::to_string(r.shards_owned) + " of " +
                           std::to_string(r.shards) + "\nshards without an owner " + std::to_string(r.shards_unowned) + '\n';
        return reply(ready ? http::status::ok : http::status::service_unavailable, std::move(body), "text/plain");
    }
    if (path == "/metrics") {
        gw_->node->read_metrics([self = shared_from_this()](std::string text) {
            boost::asio::post(self->stream_.get_executor(), [self, text = std::move(text)]() mutable {
                self->reply(http::status::ok, std::move(text), "text/plain; version=0.0.4");
            });
        });
        return;
    }
    if (path.rfind("/api/v1/", 0) == 0) {
        auto auth = std::string_view(req[http::field::authorization]);
        if (auth.rfind("Bearer ", 0) != 0)
            return reply_json(401, {{"code", "not_authenticated"}, {"message", "send Authorization: Bearer <token>"}});
        auto v = verify_token(auth.substr(7), gw_->secret, gw_->clock.now());
        if (!v.who) return reply_json(401, {{"code", "bad_token"}, {"message", describe(v.problem)}});
        return api(req, *v.who);
    }
    if (path == "/dev/token") {
        // A page of another origin is refused outright (it could not read the answer anyway).
        auto origin = std::string_view(req[http::field::origin]);
        if (!origin.empty() && origin != "http://" + std::string(req[http::field::host]))
            return reply_json(403, {{"code", "origin_refused"}, {"message", "development tokens are for chatd's own pages"}});
        return dev_token(target.size() > path.size() ? target.substr(path.size() + 1) : "");
    }
    serve_file(req, path);
}

void http_session::serve_file(const request& req, std::string_view path) {
    auto found = gw_->site.find(path);
    if (found.redirect) {
        out_ = std::make_shared<response>(http::status::moved_permanently, version_);
        out_->set(http::field::location, *found.redirect);
        return reply_prepared(std::string("see ") + *found.redirect + "\n", "text/plain");
    }
    if (!found.found) return reply(http::status::not_found, "not found\n", "text/plain");
    const auto& f = *found.found;
    bool fresh = req[http::field::if_none_match] == f.etag;
    out_ = std::make_shared<response>(fresh ? http::status::not_modified : http::status::ok, version_);
    out_->set(http::field::etag, f.etag);
    out_->set("X-Content-Type-Options", "nosniff");
    if (f.page) {
        out_->set("Content-Security-Policy", page_policy);
        out_->set("Referrer-Policy", "no-referrer");
    }
    // Revalidated on every load (cheap: 304 by ETag), so a new build is seen at once.
    reply_prepared(fresh || req.method() == http::verb::head ? std::string() : f.body, f.content_type, "no-cache");
}

void http_session::dev_token(std::string_view query) {
    if (!gw_->cfg.dev_tokens)
        return reply_json(404, {{"code", "not_found"}, {"message", "development tokens are off (server.dev_tokens)"}});
    beast::error_code ec;
    auto peer = stream_.socket().remote_endpoint(ec);
    if (ec || !peer.address().is_loopback())
        return reply_json(403, {{"code", "not_allowed"}, {"message", "development tokens are for this machine only"}});
    auto answer = mint_dev_token(parse_query(query), gw_->secret, gw_->clock.now());
    reply_json(answer.status, answer.body);
}

void http_session::api(const request& req, const identity& who) {
    auto target = std::string_view(req.target());
    auto path = target.substr(0, target.find('?'));
    auto answer = [self = shared_from_this()](int status, nlohmann::json body) {
        boost::asio::post(self->stream_.get_executor(),
                          [self, status, body = std::move(body)] { self->reply_json(status, body); });
    };
    bool staff = who.role != protocol::role::customer;
    if (path == "/api/v1/queue" || path == "/api/v1/experts") {
        if (!staff) return reply_json(403, {{"code", "wrong_role"}, {"message", "experts and monitors only"}});
        auto kind = path == "/api/v1/queue" ? cluster::node::read_kind::queue : cluster::node::read_kind::experts;
        return gw_->node->read(who, kind, {}, answer);
    }
    constexpr std::string_view prefix = "/api/v1/conversations/";
    if (path == "/api/v1/settings") {
        if (!staff) return reply_json(403, {{"code", "wrong_role"}, {"message", "experts and monitors only"}});
        const auto& calls = gw_->cfg.policy.calls;
        return reply_json(200, {{"secret_patterns", gw_->cfg.files.secret_patterns},
                                {"video_calls", calls.meeting_url.empty() ? nlohmann::json(nullptr)
                                                                          : nlohmann::json{{"max_severity", calls.max_severity}}}});
    }
    if (path == "/api/v1/audit") {
        if (who.role != protocol::role::monitor) return reply_json(403, {{"code", "wrong_role"}, {"message", "team leads (monitors) only"}});
        auto q = parse_query(target.size() > path.size() ? target.substr(path.size() + 1) : "");
        nlohmann::json query{{"from", q["from"]}, {"to", q["to"]}};
        if (!q["limit"].empty()) query["limit"] = std::strtoull(q["limit"].c_str(), nullptr, 10);
        return gw_->node->read(who, cluster::node::read_kind::audit, query.dump(), answer);
    }
    constexpr std::string_view dead_letters = "/api/v1/webhooks/dead";
    if (path == dead_letters && req.method() != http::verb::post) {
        auto q = parse_query(target.size() > path.size() ? target.substr(path.size() + 1) : "");
        nlohmann::json query = nlohmann::json::object();
        if (!q["limit"].empty()) query["limit"] = std::strtoull(q["limit"].c_str(), nullptr, 10);
        return gw_->node->read(who, cluster::node::read_kind::dead_letters, query.dump(), answer);
    }
    if (path.rfind(dead_letters, 0) == 0 && path.ends_with("/replay") && req.method() == http::verb::post) {
        // /api/v1/webhooks/dead/ID/replay
        constexpr std::string_view suffix = "/replay";
        auto middle = path.substr(dead_letters.size(), path.size() - dead_letters.size() - suffix.size());
        auto id = middle.size() > 1 && middle.front() == '/' ? std::string(middle.substr(1)) : std::string();
        return gw_->node->read(who, cluster::node::read_kind::replay, id, answer);
    }
    constexpr std::string_view attachments = "/api/v1/attachments/";
    if (path.rfind(attachments, 0) == 0) return begin_download(who, std::string(path.substr(attachments.size())));
    if (path.rfind(prefix, 0) == 0) {
        auto id = std::string(path.substr(prefix.size()));
        if (!protocol::valid_id(id)) return reply_json(400, {{"code", "bad_field"}, {"message", "not a conversation id"}});
        return gw_->node->read(who, cluster::node::read_kind::conversation, id, answer);
    }
    reply_json(404, {{"code", "not_found"}, {"message", "no such API"}});
}

void http_session::reply_json(int status, const nlohmann::json& body) {
    reply(static_cast<http::status>(status), body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
          "application/json");
}

void http_session::reply(http::status status, std::string body, std::string_view type) {
    out_ = std::make_shared<response>(status, version_);
    reply_prepared(std::move(body), type);
}

void http_session::note_origin(const request_header& h) {
    cors_origin_.clear();
    auto origin = std::string_view(h[http::field::origin]);
    auto host = std::string_view(h[http::field::host]);
    if (origin.empty() || origin == "http://" + std::string(host) || origin == "https://" + std::string(host)) return;
    if (std::string_view(h.target()).rfind("/api/v1/", 0) != 0) return;
    for (const char* role : {"customer", "expert", "monitor"})
        if (origin_allowed(gw_->cfg, role, origin, host)) {
            cors_origin_ = origin;
            return;
        }
}

void http_session::allow_origin(http::fields& f) const {
    if (cors_origin_.empty()) return;
    f.set(http::field::access_control_allow_origin, cors_origin_);
    f.set(http::field::access_control_expose_headers, "Content-Disposition");
    f.set(http::field::vary, "Origin");
}

void http_session::preflight() {
    if (cors_origin_.empty()) return reply_json(403, {{"code", "origin_refused"}, {"message", "this origin may not call chatd's API"}});
    out_ = std::make_shared<response>(http::status::no_content, version_);
    out_->set(http::field::access_control_allow_methods, "GET, POST");
    out_->set(http::field::access_control_allow_headers, "Authorization, Content-Type");
    out_->set(http::field::access_control_max_age, "600");
    reply_prepared({}, "text/plain");
}

void http_session::reply_prepared(std::string body, std::string_view type, std::string_view cache) {
    allow_origin(*out_);
    out_->set(http::field::server, "chatd");
    out_->set(http::field::content_type, type);
    out_->set(http::field::cache_control, cache);
    out_->keep_alive(keep_alive_);
    out_->body() = std::move(body);
    out_->prepare_payload();
    http::async_write(stream_, *out_, beast::bind_front_handler(&http_session::on_write, shared_from_this(), keep_alive_));
}

void http_session::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
    if (ec) return;
    if (!keep_alive) {
        stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
        if (linger_) linger();
        return;
    }
    out_.reset();
    do_read();
}

void http_session::linger() {
    auto scratch = std::make_shared<std::array<char, 16 * 1024>>();
    stream_.expires_after(std::chrono::seconds(2));
    stream_.async_read_some(boost::asio::buffer(*scratch), [self = shared_from_this(), scratch](beast::error_code ec, std::size_t) {
        if (!ec) self->linger();
    });
}

} // namespace chat::server
