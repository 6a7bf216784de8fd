// Passing conversations on by name, and the team leads' controls: an expert's transfer and
// call for help; a lead's live view, reassignment, takeover, expert settings and restrictions.
// Each is checked by role (the protocol's table) and by tenant (here), and audited.

#include "chat/server/app/hub.hpp"

#include "chat/protocol/iso8601.hpp"
#include "chat/server/app/notifications.hpp"

#include "hub_decide.hpp"


namespace chat::server {
namespace {

namespace ev = protocol::event;
namespace rq = protocol::request;
using notifications::frame_of;

std::string with_reason(std::string what, const std::optional<std::string>& reason) {
    if (reason && !reason->empty()) what += ": " + *reason;
    return what;
}

// Two core calls taken as one decision: the second runs only if the first was allowed, and
// what the first changed is stored even if the second is refused.
queue::outcome then_also(queue::outcome first, const std::function<queue::outcome()>& second) {
    if (!first.error) first.merge(second());
    return first;
}

} // namespace

void hub::on(const session_ptr& p, const request_id& id, rq::transfer& r) {
    queue::hand_off_card card{r.note.value_or(""), r.tried.value_or(""), r.promised.value_or(""), r.promised_at};
    // The transfer is kept in the internal thread, numbered there: learnt first when it is not yet.
    if (core_.find(r.conversation) && !notes_numbering_.contains(r.conversation))
        return learn_notes_then(p, id, r.conversation, [self = shared_from_this(), p, id, r]() mutable { self->on(p, id, r); });
    const auto& tenant = p->who().tenant;
    queue::transfer_target target{r.to ? std::optional(tenant + '/' + *r.to) : std::nullopt, r.team.value_or("")};
    auto where = target.expert ? "Transferred to " + notifications::display_name(core_, target.expert)
                               : "Transferred to team " + target.team;
    auto detail = with_reason(target.expert ? "to " + *r.to : "to team " + target.team, r.note);
    decide(p, id, r.conversation, [&](auto now) { return core_.transfer(p->key(), r.conversation, target, card, now); },
           [&](step& s) { add_hand_off_card(s, p, r.conversation, card, where); }, audit_as{"transfer", detail});
}

void hub::on(const session_ptr& p, const request_id& id, rq::ask_lead& r) {
    if (degraded()) return refuse(p, id, protocol::code::unavailable, "Redis is unavailable; nobody was asked");
    const auto* c = core_.find(r.conversation);
    if (!c || !may_read(*p, *c)) return refuse(p, id, queue::make_error_code(queue::errc::unknown_conversation));
    if (!notes_numbering_.contains(r.conversation))
        return learn_notes_then(p, id, r.conversation, [self = shared_from_this(), p, id, r]() mutable { self->on(p, id, r); });
    step s;
    s.now = clock_.now();
    // Stored in the thread first; the leads are told with the same step, once it is stored.
    auto text = r.text && !r.text->empty() ? "Asked a team lead for help: " + *r.text : std::string("Asked a team lead for help");
    add_note(s, p, r.conversation, text, "");
    s.out.push_back(notifications::to_monitors(
        p->who().tenant, frame_of(ev::help_requested{r.conversation, p->who().subject, p->who().name, r.text, s.now})));
    audit(s, p->who(), "ask_lead", r.conversation, r.text.value_or(""));
    ack(s, p, id, r.conversation);
    finish(std::move(s));
}

void hub::on(const session_ptr& p, const request_id& id, rq::reassign& r) {
    auto expert = p->who().tenant + '/' + r.to;
    decide(p, id, r.conversation, [&](auto now) { return core_.reassign(r.conversation, expert, now); }, {},
           audit_as{"reassign", with_reason("to " + r.to, r.reason)});
}

void hub::on(const session_ptr& p, const request_id& id, rq::take_over& r) {
    // The lead's own expert identity: they take it in the console, where they are signed in as an expert.
    if (!core_.find_expert(p->key()))
        return refuse(p, id, queue::code_name(queue::errc::unknown_expert),
                      "sign in to the expert console first: the conversation is taken there");
    decide(p, id, r.conversation, [&](auto now) { return core_.reassign(r.conversation, p->key(), now); }, {},
           audit_as{"take_over"});
}

void hub::on(const session_ptr& p, const request_id& id, rq::join& r) {
    decide(p, id, r.conversation, [&](auto now) { return core_.join(r.conversation, p->key(), now); },
           [&](step& s) {
               // The lead follows what is said from now on, and both sides are told who joined.
               audience_.add(audience::group::watchers, r.conversation, p);
               const auto* c = core_.find(r.conversation);
               auto f = frame_of(ev::joined{r.conversation, p->who().name});
               s.out.push_back(notifications::to_customer(c->customer, f));
               if (c->expert) s.out.push_back(notifications::to_expert(*c->expert, f));
           },
           audit_as{"join"});
}

void hub::on(const session_ptr& p, const request_id& id, rq::set_expert& r) {
    auto expert = p->who().tenant + '/' + r.expert;
    if (!r.presence && !r.capacity) return refuse(p, id, protocol::code::bad_field, "presence or capacity: give at least one");
    // Only this tenant's experts can be named: the key carries the lead's tenant.
    std::string what = r.expert;
    if (r.presence) what += " presence " + *r.presence;
    if (r.capacity) what += " capacity " + std::to_string(*r.capacity);
    decide(p, id, {}, [&](auto now) {
        auto presence = [&] { return r.presence ? core_.set_presence(expert, *queue::parse_presence(*r.presence), now) : queue::outcome{}; };
        if (!r.capacity) return presence();
        return then_also(core_.set_capacity(expert, *r.capacity, now), presence);
    }, {}, audit_as{"set_expert", with_reason(what, r.reason)});
}

void hub::on(const session_ptr& p, const request_id& id, rq::restriction& r) {
    if (r.reason.empty()) return refuse(p, id, protocol::code::bad_field, "reason: say why the restriction changes");
    auto action = r.until ? "restriction_extended" : "restriction_lifted";
    auto what = "customer " + r.user + (r.until ? " until " + protocol::format_instant(*r.until) : std::string());
    decide(p, id, {}, [&](auto now) { return core_.restrict_until(p->who().tenant, r.user, r.until, now); }, {},
           audit_as{action, what + ": " + r.reason});
}

bool hub::watch(const session_ptr& p, const request_id& id, const std::string& conversation) {
    bool already = false;
    audience_.each(audience::group::watchers, conversation, [&](const session_ptr& w) { already |= w == p; });
    if (!already && audience_.count(audience::group::watchers, p) >= watched_per_session) {
        refuse(p, id, queue::code_name(queue::errc::invalid_argument),
               "a lead watches at most " + std::to_string(watched_per_session) + " conversations at once: unwatch one first");
        return false;
    }
    audience_.add(audience::group::watchers, conversation, p);
    if (const auto* c = core_.find(conversation))
        p->deliver(frame_of(notifications::snapshot(core_, *c, notifications::viewer::staff)));
    return true;
}

void hub::on(const session_ptr& p, const request_id& id, rq::unwatch& r) {
    audience_.remove(audience::group::watchers, r.conversation, p);
    step s;
    s.now = clock_.now();
    ack(s, p, id, r.conversation);
    finish(std::move(s));
}

} // namespace chat::server
