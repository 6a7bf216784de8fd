#include "chat/server/net/websocket_session.hpp"

#include <boost/asio/post.hpp>

#include <iostream>

namespace chat::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ev = protocol::event;

constexpr std::string_view subprotocol = "chat.v1";

template <class E> frame framed(const E& e) { return std::make_shared<const std::string>(protocol::to_text(e)); }

// The connection's own participant: the hub hands it frames, it forwards them to the
// session's feed on the session's strand, in the order they were handed over.
class session_participant final : public participant {
public:
    session_participant(identity who, std::weak_ptr<websocket_session> s) : participant(std::move(who)), s_(std::move(s)) {}
    void deliver(frame f) override {
        if (auto s = s_.lock()) s->send(std::move(f));
    }
    void deliver_message(const std::string& conversation, std::uint64_t seq, frame f) override {
        feed([conversation, seq, f = std::move(f)](session_feed& feed) mutable { feed.message(conversation, seq, std::move(f)); });
    }
    void deliver_own(const std::string& conversation, std::uint64_t seq, frame ok) override {
        feed([conversation, seq, ok = std::move(ok)](session_feed& feed) mutable { feed.own(conversation, seq, std::move(ok)); });
    }
    void hold(const std::string& conversation) override {
        feed([conversation](session_feed& feed) { feed.hold(conversation); });
    }
    void replay(const std::string& conversation, std::uint64_t after, std::optional<std::string> id) override {
        feed([conversation, after, id = std::move(id)](session_feed& feed) mutable { feed.replay(conversation, after, std::move(id)); });
    }
    void rejoined() override {
        feed([](session_feed& feed) { feed.resync(); });
    }

private:
    template <class F> void feed(F&& f) {
        if (auto s = s_.lock()) s->with_feed(std::forward<F>(f));
    }
    std::weak_ptr<websocket_session> s_;
};

} // namespace

websocket_session::websocket_session(connection_socket&& socket, std::shared_ptr<gateway> gw)
    : ws_(std::move(socket)), gw_(std::move(gw)), rate_(gw_->cfg.limits.frames_per_second, gw_->cfg.limits.frame_burst),
      deadline_(ws_.get_executor()) {
    ++gw_->connections;
    ++gw_->unauthenticated;
}

websocket_session::~websocket_session() {
    --gw_->connections;
    if (counted_unauthenticated_) --gw_->unauthenticated;
}

void websocket_session::run(http::request<http::string_body> req) {
    const auto& limits = gw_->cfg.limits;
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = limits.handshake_timeout;
    timeouts.idle_timeout = limits.idle_timeout;
    timeouts.keep_alive_pings = true; // a ping at half the idle time; no pong closes the connection
    ws_.set_option(timeouts);
    ws_.read_message_max(limits.hard_frame_bytes);
    if (limits.permessage_deflate) {
        websocket::permessage_deflate pmd;
        pmd.server_enable = true;
        ws_.set_option(pmd);
    }
    bool offered = false;
    for (auto part : http::token_list(req[http::field::sec_websocket_protocol]))
        offered = offered || std::string_view(part.data(), part.size()) == subprotocol;
    ws_.set_option(websocket::stream_base::decorator([offered](websocket::response_type& res) {
        res.set(http::field::server, "chatd");
        if (offered) res.set(http::field::sec_websocket_protocol, subprotocol);
    }));
    origin_ = std::string(req[http::field::origin]);
    host_ = std::string(req[http::field::host]);
    auto auth = std::string_view(req[http::field::authorization]);
    if (auth.rfind("Bearer ", 0) == 0) header_token_ = std::string(auth.substr(7));
    gw_->add(shared_from_this());
    ws_.async_accept(req, beast::bind_front_handler(&websocket_session::on_accept, shared_from_this()));
}

void websocket_session::on_accept(beast::error_code ec) {
    if (ec) return gone();
    if (gw_->draining) {
        queue_frame(framed(ev::reconnect{"chatd is restarting"}));
        return shut(websocket::close_code::service_restart);
    }
    arm_hello_deadline();
    if (!header_token_.empty()) authenticate(header_token_, std::nullopt);
    do_read();
}

void websocket_session::arm_hello_deadline() {
    // Browsers answer pings by themselves: without a deadline an anonymous page holds a slot forever.
    deadline_.expires_after(gw_->cfg.limits.hello_timeout);
    deadline_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
        auto self = weak.lock();
        if (ec || !self || self->me_ || self->closing_) return;
        self->refuse(std::nullopt, protocol::code::not_authenticated, "no hello with a valid token in time", false);
        self->shut(websocket::close_code::policy_error);
    });
}

void websocket_session::arm_expiry() {
    // The token's rights end with it: the client is told, and reconnects with a fresh token.
    auto left = me_->who().expires_at - gw_->clock.now();
    deadline_.expires_after(std::max<std::chrono::steady_clock::duration>(left, std::chrono::seconds(0)));
    deadline_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
        auto self = weak.lock();
        if (ec || !self || self->closing_) return;
        self->queue_frame(framed(ev::error{std::nullopt, std::string(protocol::code::bad_token), "the token has expired; connect again with a fresh one"}));
        self->shut(static_cast<websocket::close_code>(4001));
    });
}

void websocket_session::do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&websocket_session::on_read, shared_from_this()));
}

void websocket_session::on_read(beast::error_code ec, std::size_t) {
    if (ec) return gone(); // closed, timed out, or over the hard frame limit (1009)
    if (!ws_.got_text()) {
        refuse(std::nullopt, protocol::code::binary_refused, "only text frames carry chat.v1", true);
    } else {
        auto data = buffer_.cdata();
        on_frame(std::string_view(static_cast<const char*>(data.data()), data.size()));
    }
    buffer_.consume(buffer_.size());
    if (!closing_) do_read();
}

void websocket_session::on_frame(std::string_view text) {
    const auto& limits = gw_->cfg.limits;
    // Parsed before the rate check (bounded by the size and depth limits) so that the refusal
    // names the request it refuses.
    auto parsed = protocol::parse_request(text, {limits.max_frame_bytes, limits.max_json_depth});
    // A flood is refused frame by frame, and each refusal counts: one that goes on is closed.
    if (!rate_.allow()) return refuse(parsed.id, protocol::code::rate_limited, "too many frames; slow down", true);
    // Who may send a type comes before what its fields hold.
    if (me_ && parsed.roles && !protocol::allows(*parsed.roles, me_->who().role))
        return refuse(parsed.id, protocol::code::wrong_role,
                      "a " + std::string(protocol::to_string(me_->who().role)) + " may not send '" +
                          std::string(parsed.type) + "'",
                      true);
    if (parsed.error) return refuse(parsed.id, parsed.error->code, parsed.error->message, true);
    auto& request = *parsed.request;
    if (!me_) {
        auto* hello = std::get_if<protocol::request::hello>(&request);
        if (!hello || !hello->token)
            return refuse(parsed.id, protocol::code::not_authenticated, "send {\"type\":\"hello\",\"token\":...} first", true);
        return authenticate(*hello->token, parsed.id);
    }
    gw_->node->handle(me_, std::move(parsed.id), std::move(request), std::string(text));
}

void websocket_session::authenticate(std::string_view token, const std::optional<std::string>& id) {
    if (me_) return refuse(id, protocol::code::bad_field, "already authenticated", false);
    auto v = verify_token(token, gw_->secret, gw_->clock.now());
    if (!v.who) return refuse(id, protocol::code::bad_token, std::string(describe(v.problem)), true);
    auto role = protocol::to_string(v.who->role);
    if (!origin_allowed(gw_->cfg, role, origin_, host_)) {
        refuse(id, "origin_refused", "this page's origin may not connect as " + std::string(role), false);
        return shut(websocket::close_code::policy_error);
    }
    me_ = std::make_shared<session_participant>(std::move(*v.who), weak_from_this());
    feed_ = std::make_shared<session_feed>(gw_->node->store_for(me_->who().tenant, ws_.get_executor()),
                                           [weak = weak_from_this()](frame f) {
                                               if (auto self = weak.lock()) self->queue_frame(std::move(f));
                                           },
                                           gw_->cfg.hub.history_page);
    authenticated();
    (void)id; // the welcome answers it
    gw_->node->join(me_);
}

void websocket_session::authenticated() {
    if (counted_unauthenticated_) {
        counted_unauthenticated_ = false;
        --gw_->unauthenticated;
    }
    arm_expiry();
}

void websocket_session::refuse(const std::optional<std::string>& id, std::string_view code, std::string message,
                               bool strike) {
    queue_frame(framed(ev::error{id, std::string(code), std::move(message)}));
    if (!strike) return gw_->counters->refused_by_code(code);
    // A few mistakes are answered; a client that keeps sending garbage is disconnected.
    auto now = std::chrono::steady_clock::now();
    strikes_.push_back(now);
    while (!strikes_.empty() && now - strikes_.front() > std::chrono::minutes(1)) strikes_.pop_front();
    if (static_cast<int>(strikes_.size()) > gw_->cfg.limits.bad_frames_before_close) shut(websocket::close_code::policy_error);
    gw_->counters->refused_by_code(code);
}

void websocket_session::send(frame f) {
    boost::asio::post(ws_.get_executor(), [self = shared_from_this(), f = std::move(f)]() mutable {
        self->queue_frame(std::move(f));
    });
}

void websocket_session::drain() {
    boost::asio::post(ws_.get_executor(), [self = shared_from_this()] {
        self->queue_frame(framed(ev::reconnect{"chatd is restarting"}));
        self->shut(websocket::close_code::service_restart);
    });
}

void websocket_session::queue_frame(frame f) {
    if (closing_ && !queue_.empty()) return;
    const auto& limits = gw_->cfg.limits;
    if (queue_.size() >= limits.outbound_frames || queued_bytes_ + f->size() > limits.outbound_bytes) {
        // The client stopped reading: it may not grow the server's memory. A reset (linger 0)
        // also drops what the kernel still holds for it, instead of trickling it out for minutes.
        closing_ = true;
        beast::error_code ignored;
        auto& socket = beast::get_lowest_layer(ws_).socket();
        socket.set_option(boost::asio::socket_base::linger(true, 0), ignored);
        socket.close(ignored);
        return;
    }
    queued_bytes_ += f->size();
    queue_.push_back(std::move(f));
    if (queue_.size() == 1) do_write();
}

void websocket_session::do_write() {
    ws_.text(true);
    ws_.async_write(boost::asio::buffer(*queue_.front()),
                    beast::bind_front_handler(&websocket_session::on_write, shared_from_this()));
}

void websocket_session::on_write(beast::error_code ec, std::size_t) {
    if (ec) return gone();
    queued_bytes_ -= queue_.front()->size();
    queue_.pop_front();
    if (!queue_.empty()) return do_write();
    if (closing_ && ws_.is_open())
        ws_.async_close(close_code_, [self = shared_from_this()](beast::error_code) { self->gone(); });
}

void websocket_session::shut(websocket::close_code why) {
    if (closing_) return;
    closing_ = true;
    close_code_ = why;
    deadline_.cancel();
    if (!queue_.empty()) return; // on_write closes once the last frame is out
    ws_.async_close(why, [self = shared_from_this()](beast::error_code) { self->gone(); });
}

void websocket_session::gone() {
    if (left_) return;
    left_ = true;
    if (feed_) feed_->close();
    deadline_.cancel();
    if (counted_unauthenticated_) {
        counted_unauthenticated_ = false;
        --gw_->unauthenticated;
    }
    if (me_) gw_->node->leave(me_);
    gw_->remove(this);
}

} // namespace chat::server
