#pragma once
// One event's working context inside the core.

#include "chat/queue/core.hpp"

#include <utility>

namespace chat::queue {

// With an expert: talking or on hold.
inline bool engaged(const conversation& c) {
    return c.state == conversation_state::active || c.state == conversation_state::on_hold;
}

inline bool too_long(const hand_off_card& card) {
    constexpr std::size_t max_note = 4000;
    return card.note.size() > max_note || card.tried.size() > max_note || card.promised.size() > max_note;
}

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
// need not be stored again (nor for the reply clocks it moves). The numbering is set aside
// meanwhile (events do not number; copying it for every message would cost more than the
// comparison).
template <class Event>
outcome core::reporting_real_changes(const conversation_id& id, Event&& event) {
    auto it = conversations_.find(id);
    if (it == conversations_.end()) return event();
    auto numbering = std::exchange(it->second.messages, {});
    conversation before = it->second;
    auto out = event();
    it = conversations_.find(id);
    if (it == conversations_.end()) return out;
    before.replies = it->second.replies; // what a message does to the reply clocks is not a change
    if (it->second == before) out.untouch(id);
    it->second.messages = std::move(numbering);
    return out;
}

} // namespace chat::queue
