// Who is connected: a session joins (and is welcomed with what it may see) and leaves.

#include "chat/server/app/hub.hpp"

#include "chat/server/app/notifications.hpp"

#include <boost/asio/post.hpp>

namespace chat::server {

namespace ev = protocol::event;
using protocol::role;

void hub::join(std::shared_ptr<participant> p, std::optional<std::string>) {
    boost::asio::post(strand_, [self = shared_from_this(), p = std::move(p)] { self->do_join(p, true, false); });
}

void hub::rejoin(std::shared_ptr<participant> p, bool monitor) {
    boost::asio::post(strand_, [self = shared_from_this(), p = std::move(p), monitor] { self->do_join(p, false, monitor); });
}

void hub::leave(std::shared_ptr<participant> p) {
    boost::asio::post(strand_, [self = shared_from_this(), p = std::move(p)] { self->do_leave(p); });
}

void hub::do_join(const session_ptr& p, bool welcome_it, bool monitor) {
    if (stopped_) return;
    const auto& w = p->who();
    ev::welcome welcome{std::string(protocol::to_string(w.role)), w.subject, w.name, w.tenant, std::nullopt, {}, clock_.now(),
                        std::nullopt, std::nullopt, std::nullopt};
    step s;
    s.now = clock_.now();
    if (w.role == role::customer) join_customer(p, welcome, s);
    if (w.role == role::expert) join_expert(p, welcome, s);
    if (welcome_it) {
        // The client resumes each listed conversation with `history`: live messages wait for it, so
        // that the replay and what follows it are one ordered stream, each message once.
        for (const auto& c : welcome.conversations) p->hold(c.conversation);
        s.out.insert(s.out.begin(), notifications::to_session(p, notifications::frame_of(welcome)));
    } else {
        // Taken over by this hub: the session is told the state of what it sees, and reads on
        // from its own cursors.
        for (const auto& c : welcome.conversations) s.out.push_back(notifications::to_session(p, notifications::frame_of(c)));
    }
    if (monitor) {
        audience_.add(audience::group::monitors, w.tenant, p);
        s.out.push_back(notifications::to_session(p, notifications::frame_of(feed_.snapshot(w.tenant, core_, s.now))));
    }
    finish(std::move(s));
    if (!welcome_it) p->rejoined();
}

void hub::join_customer(const session_ptr& p, ev::welcome& welcome, step& s) {
    welcome.tier = std::string(queue::to_string(p->who().tier));
    audience_.add(audience::group::customers, p->key(), p);
    auto it = by_customer_.find(p->key());
    if (it == by_customer_.end()) return;
    for (const auto& cid : it->second) {
        const auto* c = core_.find(cid);
        if (!c || !may_read(*p, *c)) continue;
        welcome.conversations.push_back(notifications::snapshot(core_, *c, notifications::viewer::customer));
        if (c->state != queue::conversation_state::queued) continue;
        // A customer who comes back while waiting hears their place now, not when the line next moves.
        if (auto position = core_.reported_position(cid)) {
            std::optional<long long> wait;
            if (auto w = core_.estimated_wait(cid)) wait = std::chrono::duration_cast<std::chrono::seconds>(*w).count();
            s.out.push_back(notifications::to_session(p, notifications::frame_of(ev::queued{cid, *position, wait})));
        }
        if (auto opens = core_.opens_at(*c, s.now)) {
            bool on_call = core_.policy().of(c->customer.tier).calls_on_call(c->severity);
            s.out.push_back(notifications::to_session(
                p, notifications::frame_of(ev::deferred{cid, *opens, on_call ? std::optional(true) : std::nullopt})));
        }
    }
}

void hub::join_expert(const session_ptr& p, ev::welcome& welcome, step& s) {
    const auto& w = p->who();
    audience_.add(audience::group::experts, p->key(), p);
    // Skills come from the token; the expert's narrowing of them and auto-accept are kept.
    queue::expert_profile profile{p->key(), w.tenant, w.name, std::nullopt, {w.skills.begin(), w.skills.end()}, std::nullopt};
    record(s, core_.register_expert(profile, s.now));
    record(s, core_.expert_connected(p->key(), s.now));
    const auto* x = core_.find_expert(p->key());
    if (!x) return;
    for (const auto& cid : x->conversations)
        if (const auto* c = core_.find(cid))
            welcome.conversations.push_back(notifications::snapshot(core_, *c, notifications::viewer::staff));
    welcome.skills = std::vector<std::string>(x->skills.begin(), x->skills.end());
    welcome.granted_skills = std::vector<std::string>(x->granted_skills.begin(), x->granted_skills.end());
    welcome.auto_accept = x->auto_accept;
    s.out.insert(s.out.begin(), notifications::to_session(p, notifications::frame_of(ev::presence{std::string(queue::to_string(x->presence))})));
}

void hub::do_leave(const session_ptr& p) {
    if (stopped_) return;
    audience_.remove(audience::group::monitors, p->who().tenant, p);
    if (p->who().role == role::monitor) audience_.remove_everywhere(audience::group::watchers, p);
    if (p->who().role == role::customer) {
        audience_.remove(audience::group::customers, p->key(), p);
    } else if (p->who().role == role::expert && audience_.remove(audience::group::experts, p->key(), p)) {
        // The expert's last connection closed: their grace period starts.
        step s;
        s.now = clock_.now();
        record(s, core_.expert_disconnected(p->key(), s.now));
        finish(std::move(s));
    }
}

} // namespace chat::server
