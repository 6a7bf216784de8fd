// What is read rather than decided: history replays, a customer's earlier conversations, and
// the read API (queue, experts, a conversation, metrics).

#include "chat/server/app/hub.hpp"

#include "chat/server/app/metrics.hpp"
#include "chat/server/app/notifications.hpp"

#include <boost/asio/post.hpp>

#include <limits>

namespace chat::server {
namespace {

namespace ev = protocol::event;
namespace rq = protocol::request;
using notifications::frame_of;

nlohmann::json unavailable(std::error_code ec) { return {{"code", "unavailable"}, {"message", ec.message()}}; }

} // namespace

void hub::on(const session_ptr& p, const request_id& id, rq::history& r) {
    if (const auto* c = core_.find(r.conversation)) {
        if (!may_read(*p, *c)) return refuse(p, id, queue::make_error_code(queue::errc::unknown_conversation));
        if (p->who().role == protocol::role::monitor && !watch(p, id, r.conversation)) return;
        return replay(p, id, r, c->epoch, c->messages.last_seq());
    }
    // A conversation no longer in memory is read from Redis, with the same rule.
    store_->conversation(r.conversation, [self = shared_from_this(), p, id, r](std::error_code ec,
                                                                              std::optional<queue::conversation> c) {
        if (ec) return self->refuse(p, id, ec);
        if (!c || !may_read(*p, *c)) return self->refuse(p, id, queue::make_error_code(queue::errc::unknown_conversation));
        self->replay(p, id, r, c->epoch, std::numeric_limits<std::uint64_t>::max()); // its record may lag its stream
    });
}

void hub::replay(const session_ptr& p, const request_id& id, const rq::history& r, const std::string& epoch,
                 std::uint64_t last) {
    // Beyond the last message there is nothing to send; the ok then names the real last one.
    std::uint64_t after = std::min(r.after.value_or(0), last);
    if (r.epoch && *r.epoch != epoch) {
        // The history the client holds is not this one: it starts again from the beginning.
        p->deliver(frame_of(ev::resync{r.conversation, epoch}));
        after = 0;
    }
    // The client says what it holds: its session sends everything after that, once.
    p->replay(r.conversation, after, id);
}

void hub::on(const session_ptr& p, const request_id& id, rq::earlier& r) {
    const auto* c = core_.find(r.conversation);
    if (!c || !may_read(*p, *c)) return refuse(p, id, queue::make_error_code(queue::errc::unknown_conversation));
    auto customer = c->customer;
    auto conversation = r.conversation;
    store_->customer_conversations(customer.tenant, customer.user, [self = shared_from_this(), p, id, conversation, customer](
                                                                       std::error_code ec, std::vector<std::string> ids) {
        if (ec) return self->refuse(p, id, ec);
        std::erase(ids, conversation);
        self->store_->conversations(ids, [self, p, id, conversation, customer](std::error_code ec2,
                                                                               std::vector<queue::conversation> found) {
            if (ec2) return self->refuse(p, id, ec2);
            self->on_earlier(p, id, conversation, customer, std::move(found));
        });
    });
}

void hub::on_earlier(const session_ptr& p, const request_id& id, const std::string& conversation,
                     const queue::customer& customer, std::vector<queue::conversation> found) {
    std::erase_if(found, [&](const queue::conversation& s) {
        return s.customer.tenant != customer.tenant || s.customer.user != customer.user;
    });
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.opened_at > b.opened_at; });
    if (found.size() > earlier_shown) found.resize(earlier_shown);
    ev::earlier answer{id, conversation, {}};
    for (const auto& s : found) answer.conversations.push_back(earlier_entry(s, p));
    p->deliver(frame_of(answer));
}

ev::earlier_entry hub::earlier_entry(const queue::conversation& stored, const session_ptr& p) const {
    // The live record when the core holds it: Redis may be a step behind the strand.
    const auto* live = core_.find(stored.id);
    const auto& record = live ? *live : stored;
    auto snap = notifications::snapshot(core_, record, notifications::viewer_of(p->who()));
    ev::earlier_entry e{record.id, record.topic, snap.state, record.opened_at, std::nullopt, snap.closed_reason, record.ticket};
    if (snap.expert_name && !snap.expert_name->empty()) e.expert_name = snap.expert_name;
    return e;
}

void hub::read_queue(std::string tenant, std::function<void(nlohmann::json)> done) {
    boost::asio::post(strand_, [self = shared_from_this(), tenant = std::move(tenant), done = std::move(done)] {
        auto now = self->clock_.now();
        ev::queue_snapshot s{monitor_feed::line_of(tenant, self->core_, now), {}, monitor_feed::tiers_of(tenant, self->core_, now), {}};
        auto j = protocol::to_json_message(s);
        done({{"queue", j["queue"]}, {"tiers", j["tiers"]}});
    });
}

void hub::read_experts(std::string tenant, std::function<void(nlohmann::json)> done) {
    boost::asio::post(strand_, [self = shared_from_this(), tenant = std::move(tenant), done = std::move(done)] {
        ev::queue_snapshot s{{}, monitor_feed::board_of(tenant, self->core_), {}, {}};
        done({{"experts", protocol::to_json_message(s)["experts"]}});
    });
}

void hub::read_conversation(identity who, std::string id, std::function<void(int, nlohmann::json)> done) {
    boost::asio::post(strand_, [self = shared_from_this(), who = std::move(who), id = std::move(id),
                                done = std::move(done)]() mutable {
        self->store_->conversation(id, [self, who, done = std::move(done)](std::error_code ec, std::optional<queue::conversation> c) {
            if (ec) return done(503, unavailable(ec));
            self->on_read_conversation(who, std::move(c), std::move(done));
        });
    });
}

void hub::on_read_conversation(const identity& who, std::optional<queue::conversation> c,
                               std::function<void(int, nlohmann::json)> done) {
    if (!c || !may_read(who, *c)) return done(404, {{"code", "unknown_conversation"}, {"message", "no such conversation"}});
    auto meta = protocol::to_json_message(notifications::snapshot(core_, *c, notifications::viewer_of(who)));
    if (c->survey_rating) meta["survey"] = {{"rating", *c->survey_rating}, {"comment", c->survey_comment}};
    store_->messages(c->id, 0, 100000, [meta, done](std::error_code ec, std::vector<stored_message> msgs) mutable {
        if (ec) return done(503, unavailable(ec));
        nlohmann::json transcript = nlohmann::json::array();
        // The record's last seq may be behind the stream.
        if (!msgs.empty() && msgs.back().seq > meta["last_seq"].get<std::uint64_t>()) meta["last_seq"] = msgs.back().seq;
        for (const auto& m : msgs) {
            transcript.push_back({{"seq", m.seq}, {"from", queue::to_string(m.from)}, {"name", m.name}, {"text", m.text},
                                  {"at", protocol::format_instant(m.at)}});
            if (const auto& a = m.attachment)
                transcript.back()["attachment"] = {{"id", a->id}, {"name", a->name}, {"size", a->size},
                                                   {"content_type", a->content_type}, {"state", a->state}};
        }
        meta.erase("type");
        done(200, {{"conversation", meta}, {"transcript", transcript}});
    });
}

void hub::read_line(std::function<void(line_summary)> done) {
    boost::asio::post(strand_, [self = shared_from_this(), done = std::move(done)] {
        done(summarize_line(self->core_, self->clock_.now()));
    });
}

} // namespace chat::server
