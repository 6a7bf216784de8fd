#pragma once
// hub::decide, the template every request handler that asks the core goes through.

#include "chat/server/app/hub.hpp"

namespace chat::server {

template <class Call>
void hub::decide(const session_ptr& p, const request_id& id, const std::string& conversation, Call&& call,
                 const std::function<void(step&)>& then, std::optional<audit_as> audited) {
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
        refuse_in(s, p, id, out.error);
    } else {
        if (then) then(s);
        if (audited && p->who().role != protocol::role::customer) audit(s, p->who(), audited->action, conversation, std::move(audited->detail));
        ack(s, p, id, conversation.empty() ? std::nullopt : std::optional(conversation));
    }
    finish(std::move(s));
}

} // namespace chat::server
