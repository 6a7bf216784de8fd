// Opening a conversation and writing in it: the core numbers each message (or recognises a
// retry), the hub appends it to the conversation's stream and tells the parties once stored.

#include "chat/server/app/hub.hpp"

#include "chat/server/app/notifications.hpp"

#include <random>

namespace chat::server {
namespace {

namespace ev = protocol::event;
namespace rq = protocol::request;
namespace fx = queue::effect;
using notifications::frame_of;
using protocol::role;

std::string random_id(char prefix) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    static constexpr char hex[] = "0123456789abcdef";
    std::string id(1, prefix);
    auto bits = rng();
    for (int i = 0; i < 16; ++i, bits >>= 4) id += hex[bits & 15];
    return id;
}

queue::customer customer_of(const participant& p) {
    const auto& w = p.who();
    return {w.tenant, w.subject, w.tier, w.region};
}

// The policy's meeting link for one call: {conversation}, {tenant} and {room} (random) filled in.
std::string meeting_link(std::string url, const std::string& conversation, const std::string& tenant) {
    auto fill = [&](std::string_view name, const std::string& value) {
        for (auto at = url.find(name); at != std::string::npos; at = url.find(name, at + value.size())) url.replace(at, name.size(), value);
    };
    fill("{conversation}", conversation);
    fill("{tenant}", tenant);
    fill("{room}", random_id('r').substr(1));
    return url;
}

queue::continued as_continued(const queue::conversation& c) {
    return queue::continued{c.id, c.customer, c.state == queue::conversation_state::closed, c.last_expert};
}

} // namespace

void hub::on(const session_ptr& p, const request_id& id, rq::open& r) {
    if (!r.continues) return open(p, id, r, std::nullopt);
    if (const auto* c = core_.find(*r.continues)) {
        if (!may_read(*p, *c)) return refuse(p, id, queue::make_error_code(queue::errc::unknown_conversation));
        return open(p, id, r, as_continued(*c));
    }
    // Closed conversations leave memory once stored: the earlier one is read back from Redis.
    store_->conversation(*r.continues, [self = shared_from_this(), p, id, r](std::error_code ec,
                                                                           std::optional<queue::conversation> c) mutable {
        if (ec) return self->refuse(p, id, ec);
        if (!c || !may_read(*p, *c)) return self->refuse(p, id, queue::make_error_code(queue::errc::unknown_conversation));
        self->open(p, id, r, as_continued(*c));
    });
}

void hub::open(const session_ptr& p, const request_id& id, rq::open& r, std::optional<queue::continued> continues) {
    if (degraded()) return refuse(p, id, protocol::code::unavailable, "Redis is unavailable; nothing was changed");
    if (core_.queued_count() >= limits_.max_queue)
        return refuse(p, id, "queue_full", "too many conversations are waiting; try again shortly");
    if (!rate_allows(p)) return refuse(p, id, protocol::code::rate_limited, "too many messages; slow down");
    step s;
    s.now = clock_.now();
    auto who = customer_of(*p);
    auto made = random_id('c');
    auto severity = r.severity.value_or(queue::default_severity);
    queue::opening o{made, who, r.topic, r.text, severity, core_.policy().skills.required(who.tier, severity, r.product_area),
                     continues, r.client_id.value_or(""), p->who().name, random_id('e')};
    if (r.request_type) o.request_type = queue::parse_request_type(*r.request_type); // the codec checked both
    if (r.priority) o.priority = queue::parse_priority(*r.priority).value_or(queue::priority::normal);
    auto out = core_.open(o, s.now);
    if (out.error == queue::errc::recent_ids_unknown)
        return learn_recent_then(p, id, core_.unlearnt_recent_ids(who), [self = shared_from_this(), p, id, r, continues]() mutable {
            self->open(p, id, r, std::move(continues));
        });
    if (!answered_early(s, p, id, out)) opened(s, p, id, r, out, made);
    finish(std::move(s));
}

void hub::opened(step& s, const session_ptr& p, const request_id& id, const rq::open& r, const queue::outcome& out,
                 const std::string& made) {
    ++counters_->opened;
    if (core_.find(made)) {
        by_customer_[p->key()].insert(made);
        s.writes.links.emplace_back(customer_of(*p), made);
    }
    // The opening text is the conversation's first message (for a duplicate: the kept one's next).
    auto added = *out.first<fx::message_added>();
    s.writes.conversations.insert(added.conversation);
    record(s, out);
    // The opening connection shows the first message from its event (it has no copy yet).
    sent(s, p, id, r.text, r.client_id.value_or(""), added, true);
}

bool hub::answered_early(step& s, const session_ptr& p, const request_id& id, const queue::outcome& out) {
    if (auto repeated = out.first<fx::message_repeated>()) {
        // A retry (its answer was lost): stored once, answered again (after what is in flight)
        // with its number and time, so that the sender shows its copy.
        std::optional<queue::instant> at;
        if (repeated->at != queue::instant{}) at = repeated->at;
        ack(s, p, id, repeated->conversation, repeated->seq, at);
        own(s.out.back(), repeated->conversation, repeated->seq);
        return true;
    }
    if (!out.error) return false;
    record(s, out);
    refuse_in(s, p, id, out.error);
    return true;
}

void hub::learn_recent_then(const session_ptr& p, const request_id& id, std::vector<std::string> conversations,
                            std::function<void()> then) {
    store_->tails(conversations, queue::message_numbering::recent_limit,
                  [self = shared_from_this(), p, id, conversations, then = std::move(then)](
                      std::error_code ec, std::vector<std::vector<stored_message>> tails) {
                      if (ec) return self->refuse(p, id, ec);
                      for (std::size_t i = 0; i < conversations.size(); ++i) {
                          std::vector<queue::message_numbering::recent_id> tail;
                          for (const auto& m : tails[i]) tail.push_back({m.client_id, m.seq, m.at, 0});
                          self->core_.learn_recent(conversations[i], tail);
                      }
                      then();
                  });
}

void hub::on(const session_ptr& p, const request_id& id, rq::send& r) { message(p, id, r.conversation, r.text, r.client_id); }

void hub::message(const session_ptr& p, const request_id& id, const std::string& conversation, const std::string& text,
                  const std::string& client_id, std::optional<attachment_record> file) {
    if (degraded()) return refuse(p, id, protocol::code::unavailable, "Redis is unavailable; the message was not sent");
    const auto* c = core_.find(conversation);
    if (!c) return refuse_gone(p, id, conversation);
    if (!may_read(*p, *c)) return refuse(p, id, queue::make_error_code(queue::errc::unknown_conversation));
    bool customer = p->who().role == role::customer;
    if (customer && !rate_allows(p)) return refuse(p, id, protocol::code::rate_limited, "too many messages; slow down");
    step s;
    s.now = clock_.now();
    auto out = customer ? core_.customer_message(conversation, customer_of(*p), text, client_id, s.now)
                        : core_.expert_message(p->key(), conversation, client_id, s.now);
    if (out.error == queue::errc::recent_ids_unknown)
        return learn_recent_then(p, id, {conversation}, [self = shared_from_this(), p, id, conversation, text, client_id, file] {
            self->message(p, id, conversation, text, client_id, file);
        });
    if (!answered_early(s, p, id, out)) {
        record(s, out);
        sent(s, p, id, text, client_id, *out.first<fx::message_added>(), false, std::move(file));
    }
    finish(std::move(s));
}

void hub::on(const session_ptr& p, const request_id& id, rq::offer_call& r) {
    if (degraded()) return refuse(p, id, protocol::code::unavailable, "Redis is unavailable; the call was not offered");
    const auto* c = core_.find(r.conversation);
    if (!c) return refuse_gone(p, id, r.conversation);
    if (!may_read(*p, *c)) return refuse(p, id, queue::make_error_code(queue::errc::unknown_conversation));
    step s;
    s.now = clock_.now();
    auto out = core_.call_message(p->key(), r.conversation, r.client_id, s.now);
    // The core refuses a call the policy does not allow as it refuses a stranger: say which.
    if (out.error == queue::errc::not_allowed && c->expert == p->key()) {
        const auto& calls = core_.policy().calls;
        return refuse(p, id, "not_allowed",
                      calls.meeting_url.empty() ? "video calls are not configured ([calls] meeting_url)"
                                                : "a video call is for severity " + std::to_string(calls.max_severity) + " and above");
    }
    if (out.error == queue::errc::recent_ids_unknown)
        return learn_recent_then(p, id, {r.conversation}, [self = shared_from_this(), p, id, r]() mutable { self->on(p, id, r); });
    if (!answered_early(s, p, id, out)) {
        record(s, out);
        auto url = meeting_link(core_.policy().calls.meeting_url, r.conversation, p->who().tenant);
        // Its writer sees it as an event too: the link is chatd's, not in the request.
        sent(s, p, id, "Video call: " + url, r.client_id, *out.first<fx::message_added>(), true, std::nullopt, url);
    }
    finish(std::move(s));
}

void hub::sent(step& s, const session_ptr& p, const request_id& id, const std::string& text, const std::string& client_id,
               const fx::message_added& added, bool to_sender, std::optional<attachment_record> file, std::string call_url) {
    const auto& conversation = added.conversation;
    const auto* c = core_.find(conversation);
    auto from = p->who().role == role::customer ? queue::party::customer : queue::party::expert;
    stored_message m{added.seq, from, p->who().subject, p->who().name, text, client_id, added.at, std::nullopt, std::move(call_url)};
    if (file) {
        m.attachment = file->file;
        file->at = added.at;
        files_used_[file->tenant] += file->file.size;
        s.writes.attachments.push_back(std::move(*file));
    }
    // Appended to the stream only: the document is rewritten when the record changes.
    s.writes.messages.emplace_back(conversation, m);
    ++counters_->messages;
    if (c) {
        auto f = frame_of(notifications::message_event(conversation, m));
        // The sending connection learns seq and time from its ok; the user's other connections get the event.
        auto sender = to_sender ? session_ptr() : p;
        s.out.push_back(notifications::chat_message(to::customer, notifications::customer_key(c->customer), f, conversation,
                                                    m.seq, sender));
        auto expert = c->expert ? c->expert : c->last_expert;
        if (expert && c->state != queue::conversation_state::offered)
            s.out.push_back(notifications::chat_message(to::expert, *expert, f, conversation, m.seq, sender));
        if (audience_.any(audience::group::watchers, conversation))
            s.out.push_back(notifications::chat_message(to::watchers, conversation, f, conversation, m.seq, sender));
    }
    ack(s, p, id, conversation, m.seq, m.at);
    own(s.out.back(), conversation, m.seq);
}

void hub::refuse_gone(const session_ptr& p, const request_id& id, const std::string& conversation) {
    // Closed and gone from memory: say why, if it is the caller's, from what Redis holds.
    store_->conversation(conversation, [self = shared_from_this(), p, id](std::error_code ec, std::optional<queue::conversation> c) {
        if (ec) return self->refuse(p, id, ec);
        if (!c || !may_read(*p, *c)) return self->refuse(p, id, queue::make_error_code(queue::errc::unknown_conversation));
        auto why = c->closed_as == queue::close_reason::expired ? queue::errc::expired : queue::errc::illegal_transition;
        self->refuse(p, id, queue::make_error_code(why));
    });
}

} // namespace chat::server
