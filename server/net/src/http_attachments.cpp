// Files in the chat over HTTP. An upload is checked before its body is read (who, where,
// how big, what name), then streams to the file store a chunk at a time through the
// metadata stripper, on the disk threads; its type is sniffed from the bytes; only once the
// file is stored is it sent as a message (by the conversation's hub, wherever it runs). A
// download is authorised by that hub and streams back the same way. Never a whole file in memory.

#include "chat/server/net/http_session.hpp"

#include "chat/server/app/attachments.hpp"
#include "chat/server/files/metadata_stripper.hpp"
#include "chat/server/net/dev_tokens.hpp"
#include "chat/server/net/virus_scan.hpp"

#include <boost/asio/post.hpp>

namespace chat::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;

constexpr std::size_t chunk_bytes = 64 * 1024;
constexpr std::string_view conversations = "/api/v1/conversations/";
constexpr std::string_view attachments_suffix = "/attachments";
// A file is shown or saved, never run: no script, no plugin, no form, even if a browser sniffed it.
constexpr std::string_view file_policy = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox";

nlohmann::json refusal(std::string_view code, std::string message) { return {{"code", code}, {"message", std::move(message)}}; }

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

// RFC 6266: a plain fallback and the exact name in UTF-8.
std::string disposition(bool inline_shown, const std::string& name) {
    std::string plain, encoded;
    static constexpr char hex[] = "0123456789ABCDEF";
    for (unsigned char c : name) {
        plain += (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? static_cast<char>(c) : '_';
        if (std::isalnum(c) || c == '.' || c == '-' || c == '_') encoded += static_cast<char>(c);
        else {
            encoded += '%';
            encoded += hex[c >> 4];
            encoded += hex[c & 15];
        }
    }
    return std::string(inline_shown ? "inline" : "attachment") + "; filename=\"" + plain + "\"; filename*=UTF-8''" + encoded;
}

// What a browser is told a file is: text of any kind is plain text, never markup or script.
std::string served_type(const std::string& sniffed) {
    if (sniffed.rfind("text/", 0) == 0 || sniffed == "application/json" || sniffed == "application/xml" ||
        sniffed == "application/javascript" || sniffed == "application/csv")
        return "text/plain; charset=utf-8";
    return sniffed;
}

} // namespace

struct http_session::upload {
    identity who;
    std::string conversation, name, client_id;
    std::uint64_t limit = 0;
    bool expect_continue = false;
    std::optional<http::request_parser<http::buffer_body>> parser;
    std::shared_ptr<files::file_upload> file;
    files::metadata_stripper stripper;
    std::vector<char> chunk = std::vector<char>(chunk_bytes);
    std::string kept, head; // what the stripper passed of a chunk; the first bytes kept, to sniff
    std::string content_type, sha256;
    std::optional<std::string> refused; // by type
    std::optional<std::string> failed;  // by the disk
};

struct http_session::download {
    std::shared_ptr<files::file_reader> reader;
    http::response<http::buffer_body> res;
    std::optional<http::response_serializer<http::buffer_body>> serializer;
    std::vector<char> chunk = std::vector<char>(chunk_bytes);
    std::size_t got = 0;
    std::optional<std::string> failed;
};

bool http_session::is_upload(const request_header& h) {
    auto path = path_of(h.target());
    return h.method() == http::verb::post && path.rfind(conversations, 0) == 0 && path.size() > conversations.size() + attachments_suffix.size() &&
           path.substr(path.size() - attachments_suffix.size()) == attachments_suffix;
}

void http_session::on_disk(std::function<void()> work, std::function<void()> then) {
    boost::asio::post(gw_->disk, [self = shared_from_this(), work = std::move(work), then = std::move(then)]() mutable {
        work();
        boost::asio::post(self->stream_.get_executor(), std::move(then));
    });
}

void http_session::begin_upload() {
    const auto& h = parser_->get();
    version_ = h.version();
    keep_alive_ = h.keep_alive();
    auto auth = std::string_view(h[http::field::authorization]);
    if (auth.rfind("Bearer ", 0) != 0) return refuse_upload(401, refusal("not_authenticated", "send Authorization: Bearer <token>"));
    auto v = verify_token(auth.substr(7), gw_->secret, gw_->clock.now());
    if (!v.who) return refuse_upload(401, refusal("bad_token", std::string(describe(v.problem))));
    auto target = std::string_view(h.target());
    auto path = path_of(target);
    auto u = std::make_shared<upload>();
    u->who = *v.who;
    u->conversation = path.substr(conversations.size(), path.size() - conversations.size() - attachments_suffix.size());
    auto query = parse_query(target.size() > path.size() ? target.substr(path.size() + 1) : "");
    u->name = query["name"];
    u->client_id = query["client_id"];
    u->limit = gw_->cfg.files.max_bytes(u->who.tier);
    if (!protocol::valid_id(u->conversation)) return refuse_upload(400, refusal("bad_field", "not a conversation id"));
    if (!files::valid_file_name(u->name))
        return refuse_upload(400, refusal("bad_field", "name= must be the file's name: 1-255 bytes, no path, no control characters"));
    if (!u->client_id.empty() && !protocol::valid_id(u->client_id))
        return refuse_upload(400, refusal("bad_field", "client_id must be 1-64 characters of A-Z a-z 0-9 . _ : @ -"));
    auto size = parser_->content_length();
    if (!size && !parser_->chunked()) return refuse_upload(411, refusal("length_required", "send Content-Length (or a chunked body)"));
    if (size && *size > u->limit)
        return refuse_upload(413, refusal("too_large", "files up to " + std::to_string(u->limit) + " bytes; this one has " +
                                                           std::to_string(*size)));
    if (size && *size == 0) return refuse_upload(400, refusal("bad_field", "the file is empty"));
    if (!gw_->file_types.extension_allowed(u->name))
        return refuse_upload(415, refusal("unsupported_type", "files named like " + u->name + " are not accepted"));
    u->expect_continue = beast::iequals(h[http::field::expect], "100-continue");
    auto who = u->who;
    auto check = nlohmann::json{{"conversation", u->conversation}, {"size", size.value_or(0)}}.dump();
    upload_ = std::move(u);
    stream_.expires_never(); // the owner answers within the node's forward timeout
    gw_->node->read(who, cluster::node::read_kind::attach_check, check, [self = shared_from_this()](int status, nlohmann::json body) {
        boost::asio::post(self->stream_.get_executor(), [self, status, body = std::move(body)]() mutable {
            self->on_upload_allowed(status, std::move(body));
        });
    });
}

void http_session::refuse_upload(int status, const nlohmann::json& body) {
    // The body may be on its way: the connection ends after the answer (read and dropped meanwhile).
    linger_ = true;
    keep_alive_ = false;
    if (upload_ && upload_->file) on_disk([file = std::move(upload_->file)]() mutable { file.reset(); }, [] {});
    upload_.reset();
    reply_json(status, body);
}

void http_session::on_upload_allowed(int status, nlohmann::json body) {
    if (status != 200) return refuse_upload(status, body);
    auto* u = upload_.get();
    u->parser.emplace(std::move(*parser_));
    u->parser->body_limit(u->limit);
    // Beast reads as much as the buffer has room for: room for a chunk, not for a header's worth.
    buffer_.reserve(chunk_bytes);
    on_disk(
        [this, u] {
            try {
                u->file = gw_->files->begin();
            } catch (const std::exception& e) {
                u->failed = e.what();
            }
        },
        [self = shared_from_this(), u] {
            if (u->failed) return self->refuse_upload(500, refusal("unavailable", "the file store cannot take files now"));
            if (!u->expect_continue) return self->read_chunk();
            auto go_on = std::make_shared<http::response<http::empty_body>>(http::status::continue_, self->version_);
            http::async_write(self->stream_, *go_on, [self, go_on](beast::error_code ec, std::size_t) {
                if (!ec) self->read_chunk();
            });
        });
}

void http_session::read_chunk() {
    auto& u = *upload_;
    auto& body = u.parser->get().body();
    body.data = u.chunk.data();
    body.size = u.chunk.size();
    stream_.expires_after(gw_->cfg.limits.idle_timeout);
    http::async_read(stream_, buffer_, *u.parser, beast::bind_front_handler(&http_session::on_chunk, shared_from_this()));
}

void http_session::on_chunk(beast::error_code ec, std::size_t) {
    auto* u = upload_.get();
    if (ec == http::error::need_buffer) ec = {};
    if (ec == http::error::body_limit)
        return refuse_upload(413, refusal("too_large", "files up to " + std::to_string(u->limit) + " bytes"));
    if (ec) {
        // Cut off: the part written is removed, nothing was told.
        on_disk([file = std::move(u->file)]() mutable { file.reset(); }, [] {});
        upload_.reset();
        return;
    }
    auto got = u->chunk.size() - u->parser->get().body().size;
    bool last = u->parser->is_done();
    on_disk(
        [this, u, got, last] {
            try {
                u->kept.clear();
                u->stripper.feed({u->chunk.data(), got}, u->kept);
                if (last) u->stripper.finish(u->kept);
                if (u->head.size() < files::type_sniffer::head_bytes)
                    u->head.append(u->kept, 0, std::min(u->kept.size(), files::type_sniffer::head_bytes - u->head.size()));
                u->file->write(u->kept);
                if (!last) return;
                u->content_type = gw_->sniffer->sniff(u->head);
                u->refused = gw_->file_types.refuse(u->name, u->content_type);
                if (u->refused) u->file.reset();
                else u->sha256 = u->file->keep();
            } catch (const std::system_error& e) {
                u->failed = e.code() == std::errc::no_space_on_device ? "the file store is full" : e.what();
                u->file.reset();
            }
        },
        [self = shared_from_this(), u, last] {
            if (u->failed) return self->refuse_upload(507, refusal("unavailable", *u->failed));
            if (!last) return self->read_chunk();
            if (u->refused) return self->refuse_upload(415, refusal("unsupported_type", *u->refused));
            attach_request r{u->conversation, u->client_id,
                             {attachment_id(u->conversation, u->who.tenant + '/' + u->who.subject, u->client_id), u->name,
                              u->file->size(), u->content_type, self->gw_->cfg.files.clamd.empty() ? "clean" : "scanning"},
                             u->sha256};
            self->gw_->node->read(u->who, cluster::node::read_kind::attach, to_json(r).dump(), [self](int status, nlohmann::json body) {
                boost::asio::post(self->stream_.get_executor(), [self, status, body = std::move(body)]() mutable {
                    self->on_upload_stored(status, std::move(body));
                });
            });
        });
}

void http_session::on_upload_stored(int status, nlohmann::json body) {
    if (status == 200 && body.value("state", "") == "scanning")
        scan_file(gw_, upload_->who, body.value("attachment", ""), upload_->sha256);
    // The bytes stay in the store when the message is refused: the same file may be sent again.
    on_disk([file = std::move(upload_->file)]() mutable { file.reset(); }, [] {});
    upload_.reset();
    reply_json(status, body);
}

void http_session::begin_download(const identity& who, std::string id) {
    if (!protocol::valid_id(id)) return reply_json(404, refusal("not_found", "no such attachment"));
    gw_->node->read(who, cluster::node::read_kind::attachment, std::move(id), [self = shared_from_this()](int status, nlohmann::json body) {
        boost::asio::post(self->stream_.get_executor(), [self, status, body = std::move(body)]() mutable {
            self->on_download_allowed(status, std::move(body));
        });
    });
}

void http_session::on_download_allowed(int status, nlohmann::json body) {
    if (status != 200) return reply_json(status, body);
    auto state = body.value("state", "");
    if (state != "clean")
        return reply_json(409, refusal(state == "scanning" ? "scanning" : "quarantined",
                                       state == "scanning" ? "the file is being scanned for viruses; try again shortly"
                                                           : "the file was quarantined by the virus scan"));
    download_ = std::make_shared<download>();
    auto* d = download_.get();
    auto sha = body.value("sha256", "");
    on_disk(
        [this, d, sha] {
            try {
                d->reader = gw_->files->open(sha);
            } catch (const std::exception& e) {
                d->failed = e.what();
            }
        },
        [self = shared_from_this(), d, body = std::move(body)] {
            if (!d->reader) {
                self->download_.reset();
                return self->reply_json(500, refusal("unavailable", "the file is missing from the file store"));
            }
            auto type = body.value("content_type", "application/octet-stream");
            bool shown = files::file_types::shown_inline(type);
            auto& res = d->res;
            res.version(self->version_);
            res.result(http::status::ok);
            res.set(http::field::server, "chatd");
            res.set(http::field::content_type, served_type(type));
            res.set(http::field::content_disposition, disposition(shown, body.value("name", "file")));
            res.set("X-Content-Type-Options", "nosniff");
            res.set("Content-Security-Policy", file_policy);
            res.set(http::field::cache_control, "private, no-store");
            res.keep_alive(self->keep_alive_);
            self->allow_origin(res);
            res.content_length(d->reader->size());
            res.body().data = nullptr;
            res.body().more = true;
            d->serializer.emplace(res);
            self->stream_.expires_after(self->gw_->cfg.limits.idle_timeout);
            http::async_write(self->stream_, *d->serializer, beast::bind_front_handler(&http_session::on_chunk_sent, self));
        });
}

void http_session::send_chunk() {
    auto* d = download_.get();
    on_disk(
        [d] {
            try {
                d->got = d->reader->read(d->chunk.data(), d->chunk.size());
            } catch (const std::exception& e) {
                d->failed = e.what();
            }
        },
        [self = shared_from_this(), d] {
            if (d->failed) return; // the length was promised: the connection ends short
            auto& body = d->res.body();
            body.data = d->got ? d->chunk.data() : nullptr;
            body.size = d->got;
            body.more = d->got > 0;
            self->stream_.expires_after(self->gw_->cfg.limits.idle_timeout);
            http::async_write(self->stream_, *d->serializer, beast::bind_front_handler(&http_session::on_chunk_sent, self));
        });
}

void http_session::on_chunk_sent(beast::error_code ec, std::size_t) {
    if (ec == http::error::need_buffer) return send_chunk();
    bool keep = download_ && download_->res.keep_alive();
    on_disk([reader = std::move(download_->reader)]() mutable { reader.reset(); }, [] {});
    download_.reset();
    if (ec) return;
    if (!keep) {
        stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
        return;
    }
    do_read();
}

} // namespace chat::server
