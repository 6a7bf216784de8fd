// One handler per chat.v1 request: check who may do it, ask the core, store, then answer.

#include "chat/server/app/hub.hpp"

#include <boost/asio/post.hpp>

#include <limits>
#include <random>

namespace chat::server {
namespace {

namespace ev = protocol::event;
namespace rq = protocol::request;
using protocol::role;

template <class E> frame framed(const E& e) { return std::make_shared<const std::string>(protocol::to_text(e)); }

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

} // namespace

void hub::join(std::shared_ptr<participant> p, std::optional<std::string> request_id) {
    boost::asio::post(strand_, [self = shared_from_this(), p = std::move(p), id = std::move(request_id)] {
        self->do_join(p, id);
    });
}

void hub::leave(std::shared_ptr<participant> p) {
    boost::asio::post(strand_, [self = shared_from_this(), p = std::move(p)] { self->do_leave(p); });
}

void hub::handle(std::shared_ptr<participant> p, std::optional<std::string> request_id, protocol::any_request r) {
    boost::asio::post(strand_, [self = shared_from_this(), p = std::move(p), id = std::move(request_id),
                                r = std::move(r)]() mutable {
        if (self->stopped_) return;
        if (!self->ready_) return self->refuse(p, id, protocol::code::unavailable, "chatd is starting");
        self->dispatch(p, id, r);
    });
}

void hub::dispatch(const session_ptr& p, const std::optional<std::string>& id, protocol::any_request& r) {
    std::visit([&](auto& m) { on(p, id, m); }, r);
}

void hub::refuse(const session_ptr& p, const std::optional<std::string>& id, std::string_view code, std::string message) {
    counters_.refused_by_code(code);
    // Through the pipeline: a refusal is told after the answers to the requests before it.
    step s;
    s.now = clock_.now();
    s.out.push_back({to::session, {}, p, framed(ev::error{id, std::string(code), std::move(message)}), {}});
    finish(std::move(s));
}

void hub::refuse(const session_ptr& p, const std::optional<std::string>& id, std::error_code ec) {
    auto code = ec.category() == queue::core_category() ? std::string(queue::code_name(static_cast<queue::errc>(ec.value())))
                                                        : std::string(protocol::code::unavailable);
    refuse(p, id, code, ec.message());
}

void hub::ack(step& s, const session_ptr& p, const std::optional<std::string>& id, std::optional<std::string> conversation,
              std::optional<std::uint64_t> seq, std::optional<queue::instant> at) {
    s.out.push_back({to::session, {}, p, framed(ev::ok{id, std::move(conversation), seq, at}), {}});
    s.out.back().answers = id.value_or("");
}

bool hub::may_read(const identity& w, const queue::conversation& c) {
    if (c.customer.tenant != w.tenant) return false;
    auto key = w.tenant + '/' + w.subject;
    switch (w.role) {
    case role::customer: return c.customer.user == w.subject;
    case role::expert: return c.expert == key || c.last_expert == key;
    case role::monitor: return true; // team leads review their own tenant's conversations
    }
    return false;
}

void hub::do_join(const session_ptr& p, const std::optional<std::string>& id) {
    ++counters_.connections;
    const auto& w = p->who();
    ev::welcome welcome{std::string(protocol::to_string(w.role)), w.subject, w.name, w.tenant, std::nullopt, nlohmann::json::array(), clock_.now(),
                        std::nullopt, std::nullopt, std::nullopt};
    step s;
    s.now = clock_.now();
    switch (w.role) {
    case role::customer: {
        welcome.tier = std::string(queue::to_string(w.tier));
        customers_[p->key()].insert(p);
        if (auto it = by_customer_.find(p->key()); it != by_customer_.end())
            for (const auto& cid : it->second)
                if (const auto* c = core_.find(cid); c && may_read(*p, *c))
                    welcome.conversations.push_back(protocol::to_json_message(snapshot(*c, audience::customer)));
        break;
    }
    case role::expert: {
        experts_[p->key()].insert(p);
        // Skills come from the token; the expert's narrowing of them and auto-accept are kept.
        queue::expert_profile profile{p->key(), w.tenant, w.name, std::nullopt, {w.skills.begin(), w.skills.end()}, std::nullopt};
        record(s, core_.register_expert(profile, s.now));
        record(s, core_.expert_connected(p->key(), s.now));
        if (const auto* x = core_.find_expert(p->key())) {
            for (const auto& cid : x->conversations)
                if (const auto* c = core_.find(cid))
                    welcome.conversations.push_back(protocol::to_json_message(snapshot(*c, audience::staff)));
            welcome.skills = std::vector<std::string>(x->skills.begin(), x->skills.end());
            welcome.granted_skills = std::vector<std::string>(x->granted_skills.begin(), x->granted_skills.end());
            welcome.auto_accept = x->auto_accept;
        }
        break;
    }
    case role::monitor: break;
    }
    // The client resumes each listed conversation with `history`: live messages wait for it, so
    // that the replay and what follows it are one ordered stream, each message once.
    for (const auto& c : welcome.conversations) cursors_[{p.get(), c["conversation"].get<std::string>()}].replaying = true;
    s.out.push_back({to::session, {}, p, framed(welcome), {}});
    if (w.role == role::expert) {
        if (const auto* x = core_.find_expert(p->key()))
            s.out.push_back({to::session, {}, p, framed(ev::presence{std::string(queue::to_string(x->presence))}), {}});
    }
    (void)id;
    finish(std::move(s));
}

void hub::do_leave(const session_ptr& p) {
    if (counters_.connections > 0) --counters_.connections;
    auto drop = [&](auto& group, const std::string& key) {
        auto it = group.find(key);
        if (it == group.end()) return false;
        it->second.erase(p);
        if (!it->second.empty()) return false;
        group.erase(it);
        return true;
    };
    auto first = cursors_.lower_bound({p.get(), std::string()});
    auto last = first;
    while (last != cursors_.end() && last->first.first == p.get()) ++last;
    cursors_.erase(first, last);
    drop(monitors_, p->who().tenant);
    if (p->who().role == role::customer) {
        drop(customers_, p->key());
    } else if (p->who().role == role::expert && drop(experts_, p->key())) {
        // The expert's last connection closed: their grace period starts.
        step s;
        s.now = clock_.now();
        record(s, core_.expert_disconnected(p->key(), s.now));
        finish(std::move(s));
    }
}

template <class Call>
void hub::decide(const session_ptr& p, const std::optional<std::string>& id, const std::string& conversation, Call&& call) {
    if (degraded()) return refuse(p, id, protocol::code::unavailable, "Redis is unavailable; nothing was changed");
    if (!conversation.empty()) {
        // Existence and ownership are checked before the core runs, so a stranger learns nothing.
        const auto* c = core_.find(conversation);
        if (!c || !may_read(*p, *c)) return refuse(p, id, queue::make_error_code(queue::errc::unknown_conversation));
    }
    step s;
    s.now = clock_.now();
    auto out = call(s.now);
    record(s, out);
    if (out.error) {
        auto code = std::string(queue::code_name(static_cast<queue::errc>(out.error.value())));
        counters_.refused_by_code(code);
        s.out.push_back({to::session, {}, p, framed(ev::error{id, code, out.error.message()}), {}});
    } else {
        ack(s, p, id, conversation.empty() ? std::nullopt : std::optional(conversation));
    }
    finish(std::move(s));
}

void hub::on(const session_ptr& p, const std::optional<std::string>& id, rq::hello&) {
    refuse(p, id, protocol::code::bad_field, "already authenticated");
}

void hub::on(const session_ptr& p, const std::optional<std::string>& id, rq::ping&) {
    p->deliver(framed(ev::pong{id, clock_.now()}));
}

void hub::on(const session_ptr& p, const std::optional<std::string>& id, rq::open& r) {
    if (!r.continues) return open(p, id, r, std::nullopt);
    auto as_continued = [](const queue::conversation& c) {
        return queue::continued{c.id, c.customer, c.state == queue::conversation_state::closed, c.last_expert};
    };
    if (const auto* c = core_.find(*r.continues)) {
        if (!may_read(*p, *c)) return refuse(p, id, queue::make_error_code(queue::errc::unknown_conversation));
        return open(p, id, r, as_continued(*c));
    }
    // Closed conversations leave memory once stored: the earlier one is read back from Redis.
    store_->conversation(*r.continues, [self = shared_from_this(), p, id, r, as_continued](
                                           std::error_code ec, std::optional<queue::conversation> c) mutable {
        if (ec) return self->refuse(p, id, ec);
        if (!c || !may_read(*p, *c))
            return self->refuse(p, id, queue::make_error_code(queue::errc::unknown_conversation));
        self->open(p, id, r, as_continued(*c));
    });
}

void hub::open(const session_ptr& p, const std::optional<std::string>& id, rq::open& r,
               std::optional<queue::continued> continues) {
    if (degraded()) return refuse(p, id, protocol::code::unavailable, "Redis is unavailable; nothing was changed");
    auto who = customer_of(*p);
    if (core_.queued_count() >= limits_.max_queue)
        return refuse(p, id, "queue_full", "too many conversations are waiting; try again shortly");
    auto [rate, inserted] = customer_rates_.try_emplace(p->key(), limits_.customer_messages_per_second, limits_.customer_message_burst);
    if (!rate->second.allow()) return refuse(p, id, protocol::code::rate_limited, "too many messages; slow down");

    step s;
    s.now = clock_.now();
    auto cid = random_id('c');
    auto severity = r.severity.value_or(queue::default_severity);
    queue::opening o{cid, who, r.topic, r.text, severity, core_.policy().skills.required(who.tier, severity, r.product_area),
                     continues, r.client_id.value_or(""), p->who().name, random_id('e')};
    auto out = core_.open(o, s.now);
    if (out.error == queue::errc::recent_ids_unknown)
        return learn_recent_then(p, id, core_.unlearnt_recent_ids(who), [self = shared_from_this(), p, id, r, continues]() mutable {
            self->open(p, id, r, std::move(continues));
        });
    if (auto repeated = out.first<queue::effect::message_repeated>()) {
        // A retried open (its answer was lost) gets the conversation it already made.
        ack(s, p, id, repeated->conversation, repeated->seq);
        return finish(std::move(s));
    }
    if (out.error) {
        record(s, out);
        s.out.push_back({to::session, {}, p,
                         framed(ev::error{id, std::string(queue::code_name(static_cast<queue::errc>(out.error.value()))),
                                          out.error.message()}),
                         {}});
        return finish(std::move(s));
    }
    ++counters_.opened;
    if (core_.find(cid)) {
        by_customer_[p->key()].insert(cid);
        s.writes.links.emplace_back(who, cid);
    }
    // The opening text is the conversation's first message (for a duplicate: the kept one's next).
    auto added = *out.first<queue::effect::message_added>();
    auto kept = added.conversation;
    stored_message m{added.seq, queue::party::customer, p->who().subject, p->who().name, r.text,
                     r.client_id.value_or(""), added.at};
    s.writes.messages.emplace_back(kept, m);
    s.writes.conversations.insert(kept);
    record(s, out);
    if (const auto* c = core_.find(kept)) {
        auto f = framed(ev::message{kept, m.seq, "customer", m.name, m.text, m.at, r.client_id});
        s.out.push_back({to::customer, p->key(), {}, f, kept, m.seq});
        if (c->expert && c->state != queue::conversation_state::offered)
            s.out.push_back({to::expert, *c->expert, {}, f, kept, m.seq});
    }
    ++counters_.messages;
    ack(s, p, id, kept, m.seq);
    finish(std::move(s));
}

void hub::learn_recent_then(const session_ptr& p, const std::optional<std::string>& id,
                            std::vector<std::string> conversations, std::function<void()> then) {
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

void hub::message(const session_ptr& p, const std::optional<std::string>& id, const std::string& conversation,
                  const std::string& text, const std::string& client_id) {
    if (degraded()) return refuse(p, id, protocol::code::unavailable, "Redis is unavailable; the message was not sent");
    const auto* c = core_.find(conversation);
    if (!c) {
        // Closed and gone from memory: say why, if it is the caller's, from what Redis holds.
        return store_->conversation(conversation, [self = shared_from_this(), p, id](std::error_code ec,
                                                                                    std::optional<queue::conversation> s) {
            if (ec) return self->refuse(p, id, ec);
            if (!s || !may_read(*p, *s))
                return self->refuse(p, id, queue::make_error_code(queue::errc::unknown_conversation));
            auto why = s->closed_as == queue::close_reason::expired ? queue::errc::expired : queue::errc::illegal_transition;
            self->refuse(p, id, queue::make_error_code(why));
        });
    }
    if (!may_read(*p, *c)) return refuse(p, id, queue::make_error_code(queue::errc::unknown_conversation));
    bool customer = p->who().role == role::customer;
    if (customer) {
        auto [rate, inserted] = customer_rates_.try_emplace(p->key(), limits_.customer_messages_per_second, limits_.customer_message_burst);
        if (!rate->second.allow()) return refuse(p, id, protocol::code::rate_limited, "too many messages; slow down");
    }
    step s;
    s.now = clock_.now();
    auto out = customer ? core_.customer_message(conversation, customer_of(*p), text, client_id, s.now)
                        : core_.expert_message(p->key(), conversation, client_id, s.now);
    if (out.error == queue::errc::recent_ids_unknown)
        return learn_recent_then(p, id, {conversation}, [self = shared_from_this(), p, id, conversation, text, client_id] {
            self->message(p, id, conversation, text, client_id);
        });
    if (auto repeated = out.first<queue::effect::message_repeated>()) {
        // A retried send: stored once, answered again (after what is in flight) with its time,
        // so that the sender shows its copy.
        std::optional<queue::instant> at;
        if (repeated->at != queue::instant{}) at = repeated->at;
        ack(s, p, id, conversation, repeated->seq, at);
        return finish(std::move(s));
    }
    if (out.error) {
        record(s, out);
        s.out.push_back({to::session, {}, p,
                         framed(ev::error{id, std::string(queue::code_name(static_cast<queue::errc>(out.error.value()))),
                                          out.error.message()}),
                         {}});
        return finish(std::move(s));
    }
    auto added = *out.first<queue::effect::message_added>();
    stored_message m{added.seq, customer ? queue::party::customer : queue::party::expert, p->who().subject,
                     p->who().name, text, client_id, added.at};
    // Appended to the stream only: the document is rewritten when the record changes.
    s.writes.messages.emplace_back(conversation, m);
    record(s, out);
    c = core_.find(conversation);
    auto f = framed(ev::message{conversation, m.seq, std::string(queue::to_string(m.from)), m.name, m.text, m.at,
                                client_id.empty() ? std::nullopt : std::optional(client_id)});
    // The sending connection learns seq and time from its ok; the user's other connections get the event.
    s.out.push_back({to::customer, c->customer.tenant + '/' + c->customer.user, {}, f, conversation, m.seq, p});
    auto expert = c->expert ? c->expert : c->last_expert;
    if (expert && c->state != queue::conversation_state::offered)
        s.out.push_back({to::expert, *expert, {}, f, conversation, m.seq, p});
    ++counters_.messages;
    ack(s, p, id, conversation, m.seq, m.at);
    finish(std::move(s));
}

void hub::on(const session_ptr& p, const std::optional<std::string>& id, rq::send& r) {
    message(p, id, r.conversation, r.text, r.client_id);
}

void hub::on(const session_ptr& p, const std::optional<std::string>& id, rq::typing& r) {
    const auto* c = core_.find(r.conversation);
    if (!c || !may_read(*p, *c)) return refuse(p, id, queue::make_error_code(queue::errc::unknown_conversation));
    auto f = framed(ev::typing{r.conversation, std::string(protocol::to_string(p->who().role)), p->who().name});
    if (p->who().role == role::customer) {
        if (c->expert && c->state == queue::conversation_state::active) send({to::expert, *c->expert, {}, f, {}});
    } else {
        // Only the expert who holds it now: not one with a pending offer, nor one it was handed off from.
        bool engaged = c->state == queue::conversation_state::active || c->state == queue::conversation_state::on_hold;
        if (c->expert != p->key() || !engaged)
            return refuse(p, id, queue::make_error_code(queue::errc::not_allowed));
        send({to::customer, c->customer.tenant + '/' + c->customer.user, {}, f, {}});
    }
}

void hub::on(const session_ptr& p, const std::optional<std::string>& id, rq::hold& r) {
    if (p->who().role == role::customer)
        return decide(p, id, r.conversation, [&](auto now) { return core_.customer_hold(r.conversation, customer_of(*p), now); });
    decide(p, id, r.conversation, [&](auto now) { return core_.expert_hold(p->key(), r.conversation, now); });
}

void hub::on(const session_ptr& p, const std::optional<std::string>& id, rq::resume& r) {
    if (p->who().role == role::customer)
        return decide(p, id, r.conversation, [&](auto now) { return core_.customer_resume(r.conversation, customer_of(*p), now); });
    decide(p, id, r.conversation, [&](auto now) { return core_.expert_resume(p->key(), r.conversation, now); });
}

void hub::on(const session_ptr& p, const std::optional<std::string>& id, rq::close& r) {
    if (p->who().role == role::customer)
        return decide(p, id, r.conversation, [&](auto now) { return core_.customer_close(r.conversation, customer_of(*p), now); });
    decide(p, id, r.conversation, [&](auto now) { return core_.expert_close(p->key(), r.conversation, now); });
}

void hub::on(const session_ptr& p, const std::optional<std::string>& id, rq::stay_request& r) {
    decide(p, id, r.conversation, [&](auto now) { return core_.request_stay(r.conversation, customer_of(*p), now); });
}

void hub::on(const session_ptr& p, const std::optional<std::string>& id, rq::stay_accept& r) {
    decide(p, id, r.conversation, [&](auto now) { return core_.accept_stay(r.conversation, customer_of(*p), r.at, now); });
}

void hub::on(const session_ptr& p, const std::optional<std::string>& id, rq::survey& r) {
    decide(p, id, r.conversation, [&](auto now) {
        return core_.submit_survey(r.conversation, customer_of(*p), r.rating, r.comment.value_or(""), now);
    });
}

void hub::on(const session_ptr& p, const std::optional<std::string>& id, rq::presence& r) {
    decide(p, id, {}, [&](auto now) { return core_.set_presence(p->key(), *queue::parse_presence(r.presence), now); });
}

void hub::on(const session_ptr& p, const std::optional<std::string>& id, rq::skills& r) {
    decide(p, id, {}, [&](auto now) { return core_.narrow_skills(p->key(), {r.skills.begin(), r.skills.end()}, now); });
}

void hub::on(const session_ptr& p, const std::optional<std::string>& id, rq::auto_accept& r) {
    decide(p, id, {}, [&](auto now) { return core_.set_auto_accept(p->key(), r.on, now); });
}

void hub::on(const session_ptr& p, const std::optional<std::string>& id, rq::capacity& r) {
    decide(p, id, {}, [&](auto now) { return core_.set_capacity(p->key(), r.capacity, now); });
}

void hub::on(const session_ptr& p, const std::optional<std::string>& id, rq::accept& r) {
    decide(p, id, r.conversation, [&](auto now) { return core_.accept_offer(p->key(), r.conversation, now); });
}

void hub::on(const session_ptr& p, const std::optional<std::string>& id, rq::decline& r) {
    decide(p, id, r.conversation, [&](auto now) { return core_.decline_offer(p->key(), r.conversation, now); });
}

void hub::on(const session_ptr& p, const std::optional<std::string>& id, rq::hand_off& r) {
    decide(p, id, r.conversation, [&](auto now) { return core_.hand_off(p->key(), r.conversation, r.note.value_or(""), now); });
}

void hub::on(const session_ptr& p, const std::optional<std::string>& id, rq::stay_propose& r) {
    decide(p, id, r.conversation, [&](auto now) { return core_.propose_stay(p->key(), r.conversation, r.at, now); });
}

void hub::on(const session_ptr& p, const std::optional<std::string>& id, rq::mark_duplicate& r) {
    const auto* of = core_.find(r.of);
    if (!of || of->customer.tenant != p->who().tenant)
        return refuse(p, id, queue::make_error_code(queue::errc::unknown_conversation));
    decide(p, id, r.conversation, [&](auto now) { return core_.mark_duplicate(p->key(), r.conversation, r.of, now); });
}

void hub::on(const session_ptr& p, const std::optional<std::string>& id, rq::escalate& r) {
    decide(p, id, r.conversation, [&](auto now) { return core_.escalate(p->key(), r.conversation, r.summary, now); });
}

void hub::on(const session_ptr& p, const std::optional<std::string>& id, rq::report_conduct& r) {
    decide(p, id, r.conversation, [&](auto now) { return core_.report_conduct(p->key(), r.conversation, now); });
}

void hub::on(const session_ptr& p, const std::optional<std::string>& id, rq::subscribe&) {
    const auto& tenant = p->who().tenant;
    monitors_[tenant].insert(p);
    auto now = clock_.now();
    p->deliver(framed(ev::queue_snapshot{queue_of(tenant, now), board_of(tenant), tiers_of(tenant, now), stats_of(tenant, now)}));
    p->deliver(framed(ev::ok{id, std::nullopt, std::nullopt}));
}

void hub::on(const session_ptr& p, const std::optional<std::string>& id, rq::history& r) {
    auto replay = [self = shared_from_this(), p, id, r](const std::string& epoch, std::uint64_t last) {
        auto key = std::make_pair(p.get(), r.conversation);
        // Beyond the last message there is nothing to send; the ok then names the real last one.
        std::uint64_t after = std::min(r.after.value_or(0), last);
        if (r.epoch && *r.epoch != epoch) {
            // The history the client holds is not this one: it starts again from the beginning.
            p->deliver(framed(ev::resync{r.conversation, epoch}));
            after = 0;
        }
        // The client says what it holds: everything after that is sent, once.
        auto& cursor = self->cursors_[key];
        cursor.replaying = true;
        cursor.sent = after;
        self->store_->messages(r.conversation, after, self->limits_.history_page,
                               [self, p, id, r, key](std::error_code ec, std::vector<stored_message> msgs) {
                                   auto it = self->cursors_.find(key);
                                   if (it == self->cursors_.end()) return; // the session left
                                   auto& cur = it->second;
                                   if (ec) {
                                       cur.replaying = false;
                                       cur.held.clear();
                                       return self->refuse(p, id, ec);
                                   }
                                   for (const auto& m : msgs) {
                                       if (m.seq <= cur.sent) continue;
                                       cur.sent = m.seq;
                                       p->deliver(framed(ev::message{r.conversation, m.seq, std::string(queue::to_string(m.from)),
                                                                     m.name, m.text, m.at,
                                                                     m.client_id.empty() ? std::nullopt : std::optional(m.client_id)}));
                                   }
                                   // A full page: more is stored than was sent, and the client asks for the
                                   // next page; live messages wait for it (they are in Redis already).
                                   const auto page = self->limits_.history_page;
                                   cur.replaying = msgs.size() >= page || cur.held.size() >= page;
                                   if (!cur.replaying) {
                                       // What came live during the replay follows it, as long as nothing is
                                       // missing in between.
                                       for (auto& [seq, f] : cur.held) {
                                           if (seq <= cur.sent) continue;
                                           if (seq != cur.sent + 1) break;
                                           cur.sent = seq;
                                           p->deliver(f);
                                       }
                                   }
                                   cur.held.clear();
                                   p->deliver(framed(ev::ok{id, r.conversation, cur.sent}));
                               });
    };
    if (const auto* c = core_.find(r.conversation)) {
        if (!may_read(*p, *c)) return refuse(p, id, queue::make_error_code(queue::errc::unknown_conversation));
        return replay(c->epoch, c->messages.last_seq());
    }
    // A conversation no longer in memory is read from Redis, with the same rule.
    store_->conversation(r.conversation, [self = shared_from_this(), p, id, replay](std::error_code ec,
                                                                                   std::optional<queue::conversation> c) {
        if (ec) return self->refuse(p, id, ec);
        if (!c || !self->may_read(*p, *c))
            return self->refuse(p, id, queue::make_error_code(queue::errc::unknown_conversation));
        replay(c->epoch, std::numeric_limits<std::uint64_t>::max()); // the document's last_seq may lag its stream
    });
}

void hub::on(const session_ptr& p, const std::optional<std::string>& id, rq::earlier& r) {
    const auto* c = core_.find(r.conversation);
    if (!c || !may_read(*p, *c)) return refuse(p, id, queue::make_error_code(queue::errc::unknown_conversation));
    auto customer = c->customer;
    store_->customer_conversations(customer.tenant, customer.user, [self = shared_from_this(), p, id, r, customer](
                                                                          std::error_code ec, std::vector<std::string> ids) {
        if (ec) return self->refuse(p, id, ec);
        std::erase(ids, r.conversation);
        self->store_->conversations(ids, [self, p, id, r, customer](std::error_code ec2, std::vector<queue::conversation> found) {
            if (ec2) return self->refuse(p, id, ec2);
            std::erase_if(found, [&](const queue::conversation& s) {
                return s.customer.tenant != customer.tenant || s.customer.user != customer.user;
            });
            std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.opened_at > b.opened_at; });
            if (found.size() > earlier_shown) found.resize(earlier_shown);
            ev::earlier answer{id, r.conversation, nlohmann::json::array()};
            for (const auto& s : found) {
                // The live record when the core holds it: Redis may be a step behind the strand.
                const auto* live = self->core_.find(s.id);
                const auto& record = live ? *live : s;
                auto snap = self->snapshot(record, audience_of(p->who()));
                nlohmann::json e{{"conversation", record.id},
                                 {"topic", record.topic},
                                 {"state", snap.state},
                                 {"opened_at", protocol::format_instant(record.opened_at)}};
                if (snap.expert_name && !snap.expert_name->empty()) e["expert_name"] = *snap.expert_name;
                if (snap.closed_reason) e["closed_reason"] = *snap.closed_reason;
                if (record.ticket) e["ticket"] = *record.ticket;
                answer.conversations.push_back(std::move(e));
            }
            p->deliver(framed(answer));
        });
    });
}

} // namespace chat::server
