#pragma once
// One event's working context inside the core.

#include "chat/queue/core.hpp"

#include <utility>

namespace chat::queue {

struct core::step {
    instant now;
    outcome& out;

    template <class E> void emit(E e) { out.effects.emplace_back(std::move(e)); }
    // Records that a record changed, so that the server stores it with this event.
    conversation& touch(conversation& c) { return out.touch(c), c; }
    expert& touch(expert& x) { return out.touch(x), x; }
    void refuse(errc e) { out.error = make_error_code(e); }
};

// Runs `event` (returning an outcome) and reports conversation `id` as changed only if its
// record differs afterwards: a chat message rarely changes it, and an unchanged record
// need not be stored again. The numbering is set aside meanwhile (events do not number;
// copying it for every message would cost more than the comparison).
template <class Event>
outcome core::reporting_real_changes(const conversation_id& id, Event&& event) {
    auto it = conversations_.find(id);
    if (it == conversations_.end()) return event();
    auto numbering = std::exchange(it->second.messages, {});
    conversation before = it->second;
    auto out = event();
    it = conversations_.find(id);
    if (it == conversations_.end()) return out;
    if (it->second == before) out.untouch(id);
    it->second.messages = std::move(numbering);
    return out;
}

} // namespace chat::queue
