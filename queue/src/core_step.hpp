#pragma once
// One event's working context inside the core.

#include "chat/queue/core.hpp"

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

} // namespace chat::queue
