#include "chat/server/webhooks/sender.hpp"

#include "chat/protocol/iso8601.hpp"
#include "chat/server/log.hpp"
#include "chat/server/webhooks/http_poster.hpp"
#include "chat/server/webhooks/signature.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

namespace chat::server::webhooks {

namespace {

using nlohmann::json;

constexpr std::size_t outbox_page = 64; // events taken per round (their place is written once)
constexpr std::size_t retry_page = 16;
constexpr std::int64_t poll_ms = 2000;  // replays written by another node or chatctl are seen within this
constexpr std::size_t recent_kept = 1024; // event ids delivered lately: a commit written twice is sent once
constexpr std::size_t transcript_limit = 2000;
constexpr std::size_t notes_limit = 500;

// Stream ids "ms-seq" in order.
bool before(const std::string& a, const std::string& b) {
    auto split = [](const std::string& id) {
        auto dash = id.find('-');
        return std::pair{std::stoull(id.substr(0, dash)), dash == std::string::npos ? 0ull : std::stoull(id.substr(dash + 1))};
    };
    return split(a) < split(b);
}

} // namespace

struct sender::lane {
    lane(const endpoint& e, boost::asio::any_io_executor strand, std::shared_ptr<boost::asio::ssl::context> tls)
        : ep(e), health(e.retry), timer(strand) {
        if (auto url = parse_url(e.url)) poster = std::make_shared<http_poster>(strand, *url, e.timeout, std::move(tls));
    }
    const endpoint& ep;
    endpoint_health health;
    std::shared_ptr<http_poster> poster;
    std::optional<std::string> cursor; // the last outbox entry taken; unknown until read
    bool busy = false, again = false;
    boost::asio::steady_timer timer;
    std::deque<std::string> recent;
    std::unordered_set<std::string> recent_ids;

    bool seen(const std::string& event) const { return recent_ids.count(event) > 0; }
    void remember(const std::string& event) {
        if (!recent_ids.insert(event).second) return;
        recent.push_back(event);
        if (recent.size() > recent_kept) {
            recent_ids.erase(recent.front());
            recent.pop_front();
        }
    }
};

sender::sender(boost::asio::any_io_executor strand, std::shared_ptr<server::store> store, std::shared_ptr<const config> cfg,
               std::vector<std::shared_ptr<boost::asio::ssl::context>> tls, std::shared_ptr<hub_counters> counters)
    : strand_(strand), store_(std::move(store)), cfg_(std::move(cfg)), counters_(std::move(counters)) {
    for (std::size_t i = 0; i < cfg_->endpoints.size(); ++i)
        lanes_.push_back(std::make_unique<lane>(cfg_->endpoints[i], strand_, i < tls.size() ? tls[i] : nullptr));
}

sender::~sender() = default;

std::int64_t sender::now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void sender::start() {
    boost::asio::post(strand_, [self = shared_from_this()] {
        self->store_->webhook_cursors([self](std::error_code ec, std::map<std::string, std::string> cursors) {
            if (self->stopped_) return;
            // A new endpoint starts at the outbox's beginning: whatever is still kept is delivered.
            if (!ec)
                for (auto& l : self->lanes_) l->cursor = cursors.count(l->ep.name) ? cursors[l->ep.name] : "0-0";
            for (auto& l : self->lanes_) self->pump(*l);
        });
    });
}

void sender::wake() {
    boost::asio::post(strand_, [self = shared_from_this()] {
        for (auto& l : self->lanes_) self->pump(*l);
    });
}

void sender::stop() {
    boost::asio::post(strand_, [self = shared_from_this()] {
        self->stopped_ = true;
        for (auto& l : self->lanes_) {
            l->timer.cancel();
            if (l->poster) l->poster->close();
        }
    });
}

void sender::pump(lane& l) {
    if (stopped_ || !l.poster) return;
    if (l.busy) {
        l.again = true;
        return;
    }
    l.busy = true;
    l.again = false;
    l.timer.cancel();
    if (!l.cursor) {
        // The places could not be read at start: read again.
        return store_->webhook_cursors([self = shared_from_this(), lp = &l](std::error_code ec, std::map<std::string, std::string> cursors) {
            if (!ec) lp->cursor = cursors.count(lp->ep.name) ? cursors[lp->ep.name] : "0-0";
            self->idle(*lp, ec ? std::optional<std::int64_t>(now_ms() + 1000) : std::optional<std::int64_t>(now_ms()));
        });
    }
    store_->webhooks_due(l.ep.name, now_ms(), retry_page,
                         [self = shared_from_this(), lp = &l](std::error_code ec, std::vector<webhook_retry> due, std::optional<std::int64_t> next) {
                             if (self->stopped_) return;
                             if (ec) return self->idle(*lp, now_ms() + 1000);
                             self->after_due(*lp, std::move(due), next);
                         });
}

void sender::after_due(lane& l, std::vector<webhook_retry> due, std::optional<std::int64_t> next) {
    if (!due.empty())
        return retry_each(l, std::make_shared<std::vector<webhook_retry>>(std::move(due)), 0,
                          std::make_shared<write_batch>(store_->keys()), next);
    store_->webhooks_after(*l.cursor, outbox_page, [self = shared_from_this(), lp = &l, next](std::error_code ec, std::vector<webhook_event> events) {
        if (self->stopped_) return;
        if (ec) return self->idle(*lp, now_ms() + 1000);
        if (events.empty()) return self->idle(*lp, next);
        self->take_each(*lp, std::make_shared<std::vector<webhook_event>>(std::move(events)), 0,
                        std::make_shared<write_batch>(self->store_->keys()));
    });
}

void sender::retry_each(lane& l, std::shared_ptr<std::vector<webhook_retry>> due, std::size_t i, batch_ptr batch,
                        std::optional<std::int64_t> next) {
    if (stopped_) return;
    if (i == due->size()) return settle(l, batch, now_ms());
    auto& r = (*due)[i];
    auto now = now_ms();
    if (r.event.type.empty()) { // unreadable: nothing can be sent
        batch->webhook_done(l.ep.name, r.event.event);
        return retry_each(l, due, i + 1, batch, next);
    }
    if (l.health.resting(now)) { // waits with the endpoint, its tries not counted
        r.due_ms = l.health.rests_until();
        batch->webhook_retry(r);
        return retry_each(l, due, i + 1, batch, next);
    }
    attempt(l, r.event, r.tries + 1, [self = shared_from_this(), lp = &l, due, i, batch, next](post_result res) {
        auto& rr = (*due)[i];
        if (res.delivered()) batch->webhook_done(lp->ep.name, rr.event.event);
        else self->failed(*lp, rr, res, *batch);
        self->retry_each(*lp, due, i + 1, batch, next);
    });
}

void sender::take_each(lane& l, std::shared_ptr<std::vector<webhook_event>> events, std::size_t i, batch_ptr batch) {
    if (stopped_) return;
    if (i == events->size()) {
        const auto& taken = events->back().id;
        batch->webhook_taken(l.ep.name, taken);
        trim(*batch, l, taken);
        return settle(l, batch, now_ms(), taken);
    }
    auto& e = (*events)[i];
    if (!l.ep.wants(e.type, e.tenant) || l.seen(e.event)) return take_each(l, events, i + 1, batch);
    auto now = now_ms();
    if (l.health.resting(now)) {
        batch->webhook_retry({l.ep.name, e, 0, "", l.health.rests_until()});
        return take_each(l, events, i + 1, batch);
    }
    attempt(l, e, 1, [self = shared_from_this(), lp = &l, events, i, batch](post_result res) {
        if (!res.delivered()) {
            webhook_retry r{lp->ep.name, (*events)[i], 0, {}, 0};
            self->failed(*lp, r, res, *batch);
        }
        self->take_each(*lp, events, i + 1, batch);
    });
}

void sender::failed(lane& l, webhook_retry& r, const post_result& res, write_batch& b) {
    ++r.tries;
    r.error = res.describe();
    auto at = now_ms();
    if (!give_up(l.ep.retry, r.tries)) {
        r.due_ms = at + retry_delay_ms(l.ep.retry, r.tries, std::uniform_real_distribution<>(0, 1)(random_));
        return b.webhook_retry(r);
    }
    ++counters_->webhooks_dead;
    log("webhook ", l.ep.name, ": gave up ", r.event.type, " ", r.event.event, " after ", r.tries, " tries (", r.error,
        "); kept as a dead letter");
    b.webhook_dead(r, queue::instant(queue::duration(at)));
}

void sender::attempt(lane& l, webhook_event& e, int attempt_no, std::function<void(post_result)> done) {
    complete(e, [self = shared_from_this(), lp = &l, &e, attempt_no, done = std::move(done)](bool ok) mutable {
        if (self->stopped_) return;
        if (!ok) {
            ++self->counters_->webhooks_failed;
            lp->health.failed(now_ms(), std::uniform_real_distribution<>(0, 1)(self->random_));
            return done({0, "could not read the conversation for the payload"});
        }
        http_poster::header_list headers{{"X-Chatd-Event", e.type},
                                         {"X-Chatd-Delivery", e.event},
                                         {"X-Chatd-Attempt", std::to_string(attempt_no)},
                                         {"X-Chatd-Signature", signature(lp->ep.secret, e.body)}};
        lp->poster->post(e.body, std::move(headers), [self, lp, &e, done = std::move(done)](post_result r) {
            if (self->stopped_) return;
            if (r.delivered()) {
                ++self->counters_->webhooks_delivered;
                lp->health.succeeded();
                lp->remember(e.event);
            } else {
                ++self->counters_->webhooks_failed;
                if (lp->health.failures() == 0)
                    log("webhook ", lp->ep.name, ": ", e.type, " ", e.event, " not delivered (", r.describe(),
                        "); the endpoint rests before its next try");
                lp->health.failed(now_ms(), std::uniform_real_distribution<>(0, 1)(self->random_));
            }
            done(std::move(r));
        });
    });
}

void sender::complete(webhook_event& e, std::function<void(bool)> done) {
    if (e.type != "ticket.created") return done(true);
    auto doc = json::parse(e.body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return done(true); // sent as stored
    auto& data = doc["data"];
    if (data.contains("transcript")) return done(true);
    auto conversation = data["conversation"].value("id", "");
    auto through = data["conversation"].value("messages", std::uint64_t{0});
    auto after = through > transcript_limit ? through - transcript_limit : 0;
    // The transcript up to the escalation, then the internal notes written until then.
    store_->messages(conversation, after, transcript_limit, [self = shared_from_this(), &e, doc, conversation, through, after,
                                                             done = std::move(done)](std::error_code ec, std::vector<stored_message> messages) mutable {
        if (ec) return done(false);
        auto base = self->cfg_->public_url;
        json transcript = json::array();
        for (const auto& m : messages) {
            if (m.seq > through) break;
            json item{{"seq", m.seq}, {"from", queue::to_string(m.from)}, {"author", m.author}, {"name", m.name},
                      {"text", m.text}, {"at", protocol::format_instant(m.at)}};
            if (m.attachment)
                item["attachment"] = {{"id", m.attachment->id}, {"name", m.attachment->name}, {"size", m.attachment->size},
                                      {"content_type", m.attachment->content_type},
                                      {"url", base + "/api/v1/attachments/" + m.attachment->id}};
            if (!m.call_url.empty()) item["call_url"] = m.call_url;
            transcript.push_back(std::move(item));
        }
        doc["data"]["transcript"] = std::move(transcript);
        doc["data"]["transcript_truncated"] = after > 0;
        auto escalated_at = e.at;
        self->store_->notes(conversation, 0, notes_limit, [&e, doc, escalated_at, done = std::move(done)](std::error_code nec, std::vector<stored_note> notes) mutable {
            if (nec) return done(false);
            json list = json::array();
            for (const auto& n : notes) {
                if (n.at > escalated_at) break;
                list.push_back({{"seq", n.seq}, {"author", n.author}, {"name", n.name}, {"role", n.role}, {"text", n.text},
                                {"at", protocol::format_instant(n.at)}});
            }
            doc["data"]["internal_notes"] = std::move(list);
            e.body = doc.dump(-1, ' ', false, json::error_handler_t::replace);
            done(true);
        });
    });
}

void sender::settle(lane& l, batch_ptr batch, std::optional<std::int64_t> next, std::optional<std::string> taken) {
    if (batch->empty()) return idle(l, next);
    store_->commit(std::move(*batch), [self = shared_from_this(), lp = &l, next, taken = std::move(taken)](std::error_code ec) {
        if (self->stopped_) return;
        if (ec) {
            // Not written: the same events are taken again (at least once), a moment later.
            log("webhook ", lp->ep.name, ": cannot record deliveries: ", ec.message());
            lp->cursor.reset();
            return self->idle(*lp, now_ms() + 1000);
        }
        if (taken) lp->cursor = *taken;
        self->idle(*lp, next);
    });
}

void sender::idle(lane& l, std::optional<std::int64_t> next) {
    l.busy = false;
    if (stopped_) return;
    auto now = now_ms();
    if (l.again || (next && *next <= now && !l.health.resting(now))) return pump(l);
    auto wake_at = now + poll_ms;
    if (next) wake_at = std::min(wake_at, std::max(*next, l.health.rests_until()));
    l.timer.expires_after(std::chrono::milliseconds(std::max<std::int64_t>(1, wake_at - now)));
    l.timer.async_wait([self = shared_from_this(), lp = &l](boost::system::error_code ec) {
        if (!ec) self->pump(*lp);
    });
}

void sender::trim(write_batch& b, const lane& taking, const std::string& taken) const {
    std::optional<std::string> lowest;
    for (const auto& l : lanes_) {
        const auto* place = l.get() == &taking ? &taken : l->cursor ? &*l->cursor : nullptr;
        if (!place) return; // a place not known: nothing may go
        if (!lowest || before(*place, *lowest)) lowest = *place;
    }
    if (lowest && *lowest != "0-0") b.webhooks_trimmed(*lowest);
}

} // namespace chat::server::webhooks
