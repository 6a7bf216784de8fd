// Consistency checks over the core's whole state, for tests and diagnostics.

#include "chat/queue/core.hpp"

#include <algorithm>

namespace chat::queue {

std::vector<std::string> core::audit(instant now) const {
    std::vector<std::string> broken;
    auto fail = [&](const std::string& what) { broken.push_back(what); };

    for (const auto& [id, x] : experts_) {
        int load = 0;
        for (const auto& cid : x.conversations) {
            auto it = conversations_.find(cid);
            if (it == conversations_.end() || it->second.expert != id)
                fail("expert " + id + " lists " + cid + " which is not theirs");
            else if (it->second.holds_capacity)
                ++load;
        }
        if (load != x.load) fail("expert " + id + " load is off");
    }

    std::size_t queued = 0;
    std::unordered_map<std::string, std::size_t> open_count;
    for (const auto& [id, c] : conversations_) {
        auto state = std::string(to_string(c.state));
        bool in_line = waiting_.contains(id);
        if ((c.state == conversation_state::queued) != in_line)
            fail(id + " is " + state + " but " + (in_line ? "" : "not ") + "in the waiting line");
        queued += in_line;
        if (c.expert) {
            auto it = experts_.find(*c.expert);
            if (it == experts_.end() || !it->second.conversations.count(id))
                fail(id + " names an expert who does not list it");
        }
        switch (c.state) {
        case conversation_state::queued:
        case conversation_state::scheduled:
        case conversation_state::saved:
        case conversation_state::closed:
            if (c.expert) fail(id + " is " + state + " yet has an expert");
            if (c.holds_capacity) fail(id + " is " + state + " yet holds capacity");
            break;
        case conversation_state::offered:
            if (!c.expert || !c.holds_capacity || !timers_.due(timer_kind::offer_timeout, id))
                fail(id + " is offered without expert, capacity or timeout");
            break;
        case conversation_state::active:
            if (!c.expert || !c.holds_capacity) fail(id + " is active without expert or capacity");
            break;
        case conversation_state::on_hold:
            if (c.holds_capacity == policy_.hold_frees_capacity && c.expert)
                fail(id + " is on hold with the wrong capacity");
            break;
        }
        if (c.state == conversation_state::scheduled && !timers_.due(timer_kind::stay_due, id))
            fail(id + " is scheduled without a timer");
        if (c.state == conversation_state::saved && !timers_.due(timer_kind::reopen_deadline, id))
            fail(id + " is saved without a reopen deadline");
        if (timers_.due(timer_kind::next_response_due, id) != reply_due(c, response_clock::next_response) ||
            timers_.due(timer_kind::update_due, id) != reply_due(c, response_clock::update))
            fail(id + "'s reply clocks and their timers disagree");
        if (c.state != conversation_state::closed && !c.duplicate_of)
            ++open_count[customer_key(c.customer)];
    }
    if (queued != waiting_.size()) fail("the waiting line holds unknown conversations");
    for (const auto& [key, ids] : open_by_customer_)
        if (open_count[key] != ids.size()) fail("open conversations per customer are off");

    // Work-conserving: nothing that could be offered is left waiting.
    for (const auto& id : queue_order(now)) {
        const auto& c = conversations_.at(id);
        if (!is_open_for(c, now) || c.reserved) continue;
        for (const auto& [eid, x] : experts_)
            if (eligible(x, c)) fail(id + " waits while " + eid + " could take it");
    }
    return broken;
}

} // namespace chat::queue
