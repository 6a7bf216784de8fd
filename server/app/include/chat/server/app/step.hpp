#pragma once
// One event's work for the hub: what to store (named by id, built from the state when written)
// and what to tell whom once it is stored.

#include "chat/queue/core.hpp"
#include "chat/server/app/participant.hpp"
#include "chat/server/store/store.hpp"

#include <array>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace chat::server {

// A frame for someone: everyone connected as a customer, an expert, a tenant's monitors, or one session.
struct outgoing {
    enum class to : std::uint8_t { customer, expert, monitors, session, watchers };
    to kind;
    std::string key; // customer key, expert id, tenant or (watchers) conversation
    std::weak_ptr<participant> session;
    frame f;
    std::string conversation; // set on chat messages, which a history replay holds back
    std::uint64_t seq = 0;    // and their sequence number: nobody gets one twice
    std::weak_ptr<participant> sender{}; // left out: a sent message comes back to it in its ok
    std::optional<std::string> answers{}; // the request id this frame answers (an ok)
};

// What one event must store, named by id: the batch is built from the state at send time.
struct pending_write {
    std::set<std::string> conversations, experts;
    std::set<std::pair<queue::timer_kind, std::string>> timers;
    std::vector<std::pair<std::string, stored_message>> messages;
    std::vector<std::pair<std::string, stored_note>> notes;
    std::vector<attachment_record> attachments;
    std::vector<std::pair<std::string, std::string>> attachment_states; // id, clean | quarantined
    std::vector<audit_entry> audit;
    std::vector<std::pair<std::string, queue::effect::ticket>> tickets;
    std::vector<std::pair<std::string, ticket_status>> ticket_statuses; // reported by the ticket system
    std::vector<webhook_event> webhooks; // the outbox: delivered once this is stored
    std::vector<std::pair<queue::customer, std::string>> links;
    std::vector<queue::restriction> restrictions;
    std::vector<std::pair<std::string, saved_answer>> answers; // tenant, the answer saved
    std::vector<std::array<std::string, 3>> answers_dropped;  // tenant, owner, id
    bool average_handle = false;

    void merge(pending_write&& other);
    bool empty() const;
};

struct step {
    pending_write writes;
    std::vector<outgoing> out;
    queue::instant now{};
};

// A request whose answer waited for a write that failed: it is answered `unavailable` now.
struct unconfirmed_answer {
    std::weak_ptr<participant> session;
    std::optional<std::string> id;
};

} // namespace chat::server
