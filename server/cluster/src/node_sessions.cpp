// The sessions connected to this node: each joined at its shard's owner (this node's hub, or
// another node over the bus), its requests sent there, and what the owner tells it handed to
// the session's feed. A forwarded request that gets no answer is answered `unavailable`.

#include "chat/server/cluster/node.hpp"

#include "local_session.hpp"

#include "chat/protocol/codec.hpp"
#include "chat/server/app/notifications.hpp"
#include "chat/server/store/owner_lease.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace chat::server::cluster {

using namespace std::chrono_literals;

namespace {

// The request id a frame answers (an ok, an error, a pong, ...), as chatd writes frames: compact
// JSON whose only "id" key is the top-level one (a quote inside a string is escaped, so text
// cannot fake it).
std::optional<std::string_view> answered_id(std::string_view text) {
    constexpr std::string_view key = R"("id":")";
    auto at = text.find(key);
    if (at == std::string_view::npos) return std::nullopt;
    auto rest = text.substr(at + key.size());
    auto end = rest.find('"');
    if (end == std::string_view::npos) return std::nullopt;
    return rest.substr(0, end);
}

bool is_welcome(std::string_view text) { return text.find(R"("type":"welcome")") != std::string_view::npos; }

frame text_frame(std::string_view text) { return std::make_shared<const std::string>(text); }

} // namespace

node::~node() { lease_holder::alive(incarnation_, false); }

void node::join(std::shared_ptr<participant> p) {
    boost::asio::post(strand_, [self = shared_from_this(), p = std::move(p)] {
        if (self->stopping_) return;
        ++self->ctx_.counters->connections;
        auto s = std::make_unique<local_session>();
        s->id = ++self->next_session_;
        s->p = p;
        s->shard = self->map_.shard_of(p->who().tenant);
        self->session_of_[p.get()] = s->id;
        auto& ref = *s;
        self->sessions_.emplace(s->id, std::move(s));
        self->attach(ref);
    });
}

void node::leave(std::shared_ptr<participant> p) {
    boost::asio::post(strand_, [self = shared_from_this(), p = std::move(p)] {
        auto id = self->session_of_.find(p.get());
        if (id == self->session_of_.end()) return;
        if (self->ctx_.counters->connections > 0) --self->ctx_.counters->connections;
        auto it = self->sessions_.find(id->second);
        auto& s = *it->second;
        if (s.at == self->opts_.id) {
            if (auto h = self->hubs_[s.shard]) h->leave(p);
        } else if (!s.at.empty()) {
            bus_writer w;
            w.add("L").add(self->opts_.id).add(s.id).add(s.shard);
            self->to_node(s.at, w.take());
        }
        self->sessions_.erase(it);
        self->session_of_.erase(id);
    });
}

void node::attach(local_session& s) {
    const auto& o = owners_[s.shard];
    if (o.node == s.at && o.epoch == s.epoch && !s.at.empty()) return;
    s.at.clear();
    s.epoch = 0;
    // Joined once the shard has a live owner again (a dead one's lease lapses, or is replaced).
    if (o.node.empty() || (o.node != opts_.id && !members_.is_alive(o.node, lease_state::clock::now()))) return;
    bool welcome = !s.welcomed;
    if (o.node == opts_.id) {
        auto h = hubs_[s.shard];
        if (!h) return; // still loading: joined once it is
        if (welcome) h->join(s.p, std::nullopt);
        else h->rejoin(s.p, s.monitor);
        s.welcomed = true;
    } else {
        // Welcomed once the welcome comes back (deliver_entry): an owner that dies first does not count.
        bus_writer w;
        w.add("J").add(opts_.id).add(s.id).add(s.shard).add(welcome ? 1 : 0).add(s.monitor ? 1 : 0);
        write_identity(w, s.p->who());
        to_node(o.node, w.take());
    }
    s.at = o.node;
    s.epoch = o.epoch;
    for (auto& [id, f] : s.pending)
        if (f.resend) {
            f.resend = false;
            forward(s, id, f.request, f.frame);
        }
}

void node::reattach_shard(shard_id shard) {
    for (auto& [id, s] : sessions_)
        if (s->shard == shard) attach(*s);
}

void node::handle(std::shared_ptr<participant> p, std::optional<std::string> id, protocol::any_request r, std::string frame) {
    boost::asio::post(strand_, [self = shared_from_this(), p = std::move(p), id = std::move(id), r = std::move(r),
                                frame = std::move(frame)]() mutable {
        auto sid = self->session_of_.find(p.get());
        if (sid == self->session_of_.end()) return;
        auto& s = *self->sessions_.at(sid->second);
        if (std::holds_alternative<protocol::request::subscribe>(r)) s.monitor = true;
        if (s.at.empty()) {
            if (id) self->answer_unavailable(s, *id, "no node owns this conversation's shard right now; retry shortly");
            return;
        }
        if (s.at == self->opts_.id) {
            if (auto h = self->hubs_[s.shard]) return h->handle(p, std::move(id), std::move(r));
            if (id) self->answer_unavailable(s, *id, "this conversation's shard is moving; retry shortly");
            return;
        }
        self->forward(s, std::move(id), std::move(r), std::move(frame));
    });
}

void node::forward(local_session& s, std::optional<std::string> id, protocol::any_request request, std::string frame) {
    if (id) {
        auto [it, added] = s.pending.try_emplace(*id);
        if (added) it->second.deadline = lease_state::clock::now() + opts_.forward_timeout;
        it->second.request = request;
        it->second.frame = frame;
    }
    bus_writer w;
    w.add("R").add(opts_.id).add(s.id).add(s.shard).add(id.value_or("")).add(frame);
    ++counts_.forwarded;
    // Nobody listening (the owner is gone, its successor not yet known): asked again shortly.
    redis_->exec({{"PUBLISH", "chat:node:" + s.at, w.take()}},
                 [self = shared_from_this(), sid = s.id, id](std::error_code ec, redis::client::replies answers) {
                     bool heard = !ec && !answers.empty() && answers[0].integer > 0;
                     if (!heard && id) boost::asio::post(self->strand_, [self, sid, id] { self->resend_later(sid, *id, 200ms); });
                 });
}

void node::resend_later(std::uint64_t sid, const std::string& id, std::chrono::milliseconds after) {
    auto it = sessions_.find(sid);
    if (it == sessions_.end()) return;
    if (auto pending = it->second->pending.find(id); pending != it->second->pending.end()) pending->second.resend = true;
    auto timer = std::make_shared<boost::asio::steady_timer>(strand_, after);
    timer->async_wait([self = shared_from_this(), sid, timer](boost::system::error_code) {
        self->refresh_owners();
        if (auto found = self->sessions_.find(sid); found != self->sessions_.end()) {
            found->second->epoch = 0; // joined again at whoever owns the shard by then
            self->attach(*found->second);
        }
    });
}

void node::deliver_entry(local_session& s, char kind, std::string_view conversation, std::uint64_t seq, std::string_view text) {
    if (kind == 'f' || kind == 'o')
        if (auto id = answered_id(text)) s.pending.erase(std::string(*id));
    if (kind == 'f' && is_welcome(text)) s.welcomed = true;
    if (kind == 'r' && !text.empty()) s.pending.erase(std::string(text)); // this node's feed answers it
    switch (kind) {
    case 'f': return s.p->deliver(text_frame(text));
    case 'm': return s.p->deliver_message(std::string(conversation), seq, text_frame(text));
    case 'o': return s.p->deliver_own(std::string(conversation), seq, text_frame(text));
    case 'h': return s.p->hold(std::string(conversation));
    case 'r': return s.p->replay(std::string(conversation), seq, text.empty() ? std::nullopt : std::optional(std::string(text)));
    case 'j': return s.p->rejoined();
    default: ++counts_.bus_dropped;
    }
}

void node::expire_pending() {
    auto now = lease_state::clock::now();
    for (auto& [sid, s] : sessions_)
        for (auto it = s->pending.begin(); it != s->pending.end();) {
            if (it->second.deadline > now) {
                ++it;
                continue;
            }
            ++counts_.forward_timeouts;
            auto id = it->first;
            it = s->pending.erase(it);
            answer_unavailable(*s, id, "not confirmed: the node that owns this conversation did not answer in time; "
                                       "retry (with the same client_id for a send)");
        }
}

void node::answer_unavailable(local_session& s, const std::string& id, const char* why) {
    ctx_.counters->refused_by_code(protocol::code::unavailable);
    s.p->deliver(notifications::frame_of(protocol::event::error{id, std::string(protocol::code::unavailable), why}));
}

} // namespace chat::server::cluster
