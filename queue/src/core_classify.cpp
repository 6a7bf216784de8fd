// Reclassifying a conversation: its severity, request type and priority, each change kept
// with who made it and why.

#include "chat/queue/core.hpp"

#include "core_step.hpp"

namespace chat::queue {
namespace {

constexpr std::size_t max_reason = 2000; // as a note
// A long-lived conversation's history stays bounded: the oldest changes give way.
constexpr std::size_t max_kept_changes = 50;

} // namespace

outcome core::classify(const std::string& by, bool as_lead, const conversation_id& id, classification to, instant now) {
    outcome out;
    step s{now, out};
    auto* c = lookup(id, out);
    if (!c || (!as_lead && !held_by_expert(*c, by, out))) return out;
    if (c->state == conversation_state::closed) {
        s.refuse(errc::illegal_transition);
        return out;
    }
    bool bad_severity = to.severity && (*to.severity < min_severity || *to.severity > max_severity);
    if (bad_severity || to.reason.empty() || to.reason.size() > max_reason) {
        s.refuse(errc::invalid_argument);
        return out;
    }
    std::vector<classification_change> changes;
    auto change = [&](const char* field, std::string from, std::string value) {
        if (from != value) changes.push_back({now, by, field, std::move(from), std::move(value), to.reason});
    };
    if (to.severity) change("severity", std::to_string(c->severity), std::to_string(*to.severity));
    if (to.request_type)
        change("request_type", c->request_type ? std::string(to_string(*c->request_type)) : "",
               std::string(to_string(*to.request_type)));
    if (to.priority) change("priority", std::string(to_string(c->priority)), std::string(to_string(*to.priority)));
    if (changes.empty()) {
        s.refuse(errc::invalid_argument); // nothing would change
        return out;
    }

    s.touch(*c);
    if (to.severity && *to.severity != c->severity) {
        c->severity = *to.severity;
        // An unanswered conversation's first-response clock follows its new severity.
        if (!c->sla.responded_at && c->sla.target != duration::zero()) {
            bool running = c->sla.running_since.has_value();
            pause_sla(s, *c);
            c->sla.target = policy_.of(c->customer.tier).first_response_target[c->severity - 1];
            if (running) resume_sla(s, *c);
        }
    }
    rearm_reply_clocks(s, *c); // the new severity's targets
    if (to.request_type) c->request_type = to.request_type;
    if (to.priority) c->priority = *to.priority;
    c->classifications.insert(c->classifications.end(), changes.begin(), changes.end());
    if (c->classifications.size() > max_kept_changes)
        c->classifications.erase(c->classifications.begin(),
                                 c->classifications.end() - static_cast<std::ptrdiff_t>(max_kept_changes));
    s.emit(effect::classified{c->id, std::move(changes)});
    if (waiting_.contains(c->id)) {
        waiting_.push(line_entry(*c)); // the same first-queued time: a new rank, not a new place
        route(s);
    }
    return out;
}

} // namespace chat::queue
