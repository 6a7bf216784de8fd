// One handler per chat.v1 request: check who may do it, ask the core, store, then answer.

#include "chat/server/app/hub.hpp"

#include "chat/server/app/notifications.hpp"

#include "hub_decide.hpp"

#include <boost/asio/post.hpp>

namespace chat::server {
namespace {

namespace ev = protocol::event;
namespace rq = protocol::request;
using notifications::frame_of;
using protocol::role;

queue::customer customer_of(const participant& p) {
    const auto& w = p.who();
    return {w.tenant, w.subject, w.tier, w.region};
}

std::string code_of(std::error_code ec) {
    if (ec.category() == queue::core_category()) return std::string(queue::code_name(static_cast<queue::errc>(ec.value())));
    return std::string(protocol::code::unavailable);
}

} // namespace

void hub::handle(std::shared_ptr<participant> p, std::optional<std::string> id, protocol::any_request r) {
    boost::asio::post(strand_, [self = shared_from_this(), p = std::move(p), id = std::move(id),
                                r = std::move(r)]() mutable {
        if (self->stopped_)
            return p->deliver(notifications::frame_of(ev::error{id, std::string(protocol::code::unavailable),
                                                                "this conversation's shard is moving to another node; retry"}));
        if (!self->ready_) return self->refuse(p, id, protocol::code::unavailable, "chatd is starting");
        self->dispatch(p, id, r);
    });
}

void hub::dispatch(const session_ptr& p, const request_id& id, protocol::any_request& r) {
    std::visit([&](auto& m) { on(p, id, m); }, r);
}

void hub::refuse(const session_ptr& p, const request_id& id, std::string_view code, std::string message) {
    counters_->refused_by_code(code);
    // Through the pipeline: a refusal is told after the answers to the requests before it.
    step s;
    s.now = clock_.now();
    s.out.push_back(notifications::to_session(p, frame_of(ev::error{id, std::string(code), std::move(message)})));
    finish(std::move(s));
}

void hub::refuse(const session_ptr& p, const request_id& id, std::error_code ec) { refuse(p, id, code_of(ec), ec.message()); }

void hub::refuse_in(step& s, const session_ptr& p, const request_id& id, std::error_code ec) {
    auto code = code_of(ec);
    counters_->refused_by_code(code);
    s.out.push_back(notifications::to_session(p, frame_of(ev::error{id, code, ec.message()})));
}

void hub::ack(step& s, const session_ptr& p, const request_id& id, std::optional<std::string> conversation,
              std::optional<std::uint64_t> seq, std::optional<queue::instant> at) {
    s.out.push_back(notifications::to_session(p, frame_of(ev::ok{id, std::move(conversation), seq, at})));
    s.out.back().answers = id.value_or("");
}

bool hub::rate_allows(const session_ptr& p) {
    auto [rate, inserted] = customer_rates_.try_emplace(p->key(), limits_.customer_messages_per_second, limits_.customer_message_burst);
    return rate->second.allow();
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

void hub::on(const session_ptr& p, const request_id& id, rq::hello&) {
    refuse(p, id, protocol::code::bad_field, "already authenticated");
}

void hub::on(const session_ptr& p, const request_id& id, rq::ping&) {
    p->deliver(frame_of(ev::pong{id, clock_.now()}));
}

void hub::on(const session_ptr& p, const request_id& id, rq::hold& r) {
    if (p->who().role == role::customer)
        return decide(p, id, r.conversation, [&](auto now) { return core_.customer_hold(r.conversation, customer_of(*p), now); });
    decide(p, id, r.conversation, [&](auto now) { return core_.expert_hold(p->key(), r.conversation, now); }, {}, audit_as{"hold"});
}

void hub::on(const session_ptr& p, const request_id& id, rq::resume& r) {
    if (p->who().role == role::customer)
        return decide(p, id, r.conversation, [&](auto now) { return core_.customer_resume(r.conversation, customer_of(*p), now); });
    decide(p, id, r.conversation, [&](auto now) { return core_.expert_resume(p->key(), r.conversation, now); }, {}, audit_as{"resume"});
}

void hub::on(const session_ptr& p, const request_id& id, rq::close& r) {
    if (p->who().role == role::customer)
        return decide(p, id, r.conversation, [&](auto now) { return core_.customer_close(r.conversation, customer_of(*p), now); });
    decide(p, id, r.conversation, [&](auto now) { return core_.expert_close(p->key(), r.conversation, now); }, {}, audit_as{"close"});
}

void hub::on(const session_ptr& p, const request_id& id, rq::stay_request& r) {
    decide(p, id, r.conversation, [&](auto now) { return core_.request_stay(r.conversation, customer_of(*p), now); });
}

void hub::on(const session_ptr& p, const request_id& id, rq::stay_accept& r) {
    decide(p, id, r.conversation, [&](auto now) { return core_.accept_stay(r.conversation, customer_of(*p), r.at, now); });
}

void hub::on(const session_ptr& p, const request_id& id, rq::survey& r) {
    decide(p, id, r.conversation, [&](auto now) {
        return core_.submit_survey(r.conversation, customer_of(*p), r.rating, r.comment.value_or(""), now);
    });
}

void hub::on(const session_ptr& p, const request_id& id, rq::presence& r) {
    decide(p, id, {}, [&](auto now) { return core_.set_presence(p->key(), *queue::parse_presence(r.presence), now); }, {},
           audit_as{"presence", r.presence});
}

void hub::on(const session_ptr& p, const request_id& id, rq::skills& r) {
    decide(p, id, {}, [&](auto now) { return core_.narrow_skills(p->key(), {r.skills.begin(), r.skills.end()}, now); });
}

void hub::on(const session_ptr& p, const request_id& id, rq::auto_accept& r) {
    decide(p, id, {}, [&](auto now) { return core_.set_auto_accept(p->key(), r.on, now); });
}

void hub::on(const session_ptr& p, const request_id& id, rq::capacity& r) {
    decide(p, id, {}, [&](auto now) { return core_.set_capacity(p->key(), r.capacity, now); }, {},
           audit_as{"capacity", std::to_string(r.capacity)});
}

void hub::on(const session_ptr& p, const request_id& id, rq::accept& r) {
    decide(p, id, r.conversation, [&](auto now) { return core_.accept_offer(p->key(), r.conversation, now); }, {}, audit_as{"accept"});
}

void hub::on(const session_ptr& p, const request_id& id, rq::decline& r) {
    decide(p, id, r.conversation, [&](auto now) { return core_.decline_offer(p->key(), r.conversation, now); }, {}, audit_as{"decline"});
}


void hub::on(const session_ptr& p, const request_id& id, rq::hand_off& r) {
    queue::hand_off_card card{r.note.value_or(""), r.tried.value_or(""), r.promised.value_or(""), r.promised_at};
    // The card stays in the internal thread too, numbered there: learnt first when it is not yet.
    if (!card.empty() && core_.find(r.conversation) && !notes_numbering_.contains(r.conversation))
        return learn_notes_then(p, id, r.conversation, [self = shared_from_this(), p, id, r]() mutable { self->on(p, id, r); });
    decide(p, id, r.conversation, [&](auto now) { return core_.hand_off(p->key(), r.conversation, card, now); },
           [&](step& s) { add_hand_off_card(s, p, r.conversation, card); }, audit_as{"hand_off", r.note.value_or("")});
}

void hub::on(const session_ptr& p, const request_id& id, rq::stay_propose& r) {
    decide(p, id, r.conversation, [&](auto now) { return core_.propose_stay(p->key(), r.conversation, r.at, now); }, {},
           audit_as{"propose_stay", protocol::format_instant(r.at)});
}

void hub::on(const session_ptr& p, const request_id& id, rq::mark_duplicate& r) {
    const auto* of = core_.find(r.of);
    if (!of || of->customer.tenant != p->who().tenant)
        return refuse(p, id, queue::make_error_code(queue::errc::unknown_conversation));
    decide(p, id, r.conversation, [&](auto now) { return core_.mark_duplicate(p->key(), r.conversation, r.of, now); }, {},
           audit_as{"mark_duplicate", "of " + r.of});
}

void hub::on(const session_ptr& p, const request_id& id, rq::escalate& r) {
    decide(p, id, r.conversation, [&](auto now) { return core_.escalate(p->key(), r.conversation, r.summary, now); }, {},
           audit_as{"escalate", r.summary});
}

void hub::on(const session_ptr& p, const request_id& id, rq::classify& r) {
    if (!r.severity && !r.request_type && !r.priority)
        return refuse(p, id, protocol::code::bad_field, "severity, request_type or priority: give at least one");
    if (r.reason.empty()) return refuse(p, id, protocol::code::bad_field, "reason: say why it changes");
    queue::classification change{r.severity, std::nullopt, std::nullopt, r.reason};
    std::string what; // for the audit log: "severity 1, type problem, priority high"
    auto named = [&what](const std::string& part) { what += (what.empty() ? "" : ", ") + part; };
    if (r.severity) named("severity " + std::to_string(*r.severity));
    if (r.request_type) {
        change.request_type = queue::parse_request_type(*r.request_type); // the codec checked it
        named("type " + *r.request_type);
    }
    if (r.priority) {
        change.priority = queue::parse_priority(*r.priority);
        named("priority " + *r.priority);
    }
    bool as_lead = p->who().role == protocol::role::monitor;
    decide(p, id, r.conversation, [&](auto now) { return core_.classify(p->key(), as_lead, r.conversation, change, now); }, {},
           audit_as{"classify", what + ": " + r.reason});
}

void hub::on(const session_ptr& p, const request_id& id, rq::report_conduct& r) {
    decide(p, id, r.conversation, [&](auto now) { return core_.report_conduct(p->key(), r.conversation, now); }, {},
           audit_as{"report_conduct"});
}

void hub::on(const session_ptr& p, const request_id& id, rq::typing& r) {
    const auto* c = core_.find(r.conversation);
    if (!c || !may_read(*p, *c)) return refuse(p, id, queue::make_error_code(queue::errc::unknown_conversation));
    auto f = frame_of(ev::typing{r.conversation, std::string(protocol::to_string(p->who().role)), p->who().name});
    step s;
    s.now = clock_.now();
    if (p->who().role == role::customer) {
        if (c->expert && c->state == queue::conversation_state::active) s.out.push_back(notifications::to_expert(*c->expert, f));
    } else {
        // Only the expert who holds it now: not one with a pending offer, nor one it was handed off from.
        bool engaged = c->state == queue::conversation_state::active || c->state == queue::conversation_state::on_hold;
        if (c->expert != p->key() || !engaged) return refuse(p, id, queue::make_error_code(queue::errc::not_allowed));
        s.out.push_back(notifications::to_customer(c->customer, f));
    }
    finish(std::move(s));
}

void hub::on(const session_ptr& p, const request_id& id, rq::subscribe&) {
    const auto& tenant = p->who().tenant;
    audience_.add(audience::group::monitors, tenant, p);
    step s;
    s.now = clock_.now();
    s.out.push_back(notifications::to_session(p, frame_of(feed_.snapshot(tenant, core_, s.now))));
    ack(s, p, id);
    finish(std::move(s));
}

} // namespace chat::server
