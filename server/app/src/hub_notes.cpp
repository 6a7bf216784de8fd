// A conversation's internal thread: notes by the tenant's staff, numbered in their own stream,
// sent to the conversation's expert and the colleagues they name, never to its customer. A
// hand-off's card is kept there too.

#include "chat/server/app/hub.hpp"

#include "hub_shared.hpp"

#include "chat/protocol/iso8601.hpp"
#include "chat/queue/mentions.hpp"
#include "chat/server/app/notifications.hpp"

#include <set>

namespace chat::server {
namespace {

namespace ev = protocol::event;
namespace rq = protocol::request;
using notifications::frame_of;
using protocol::role;

ev::note event_of(const std::string& conversation, const stored_note& n) {
    ev::note e{conversation, n.seq, n.author, n.role, n.name, n.text, n.at, n.mentions, {}};
    if (!n.client_id.empty()) e.client_id = n.client_id;
    return e;
}

// The card as the thread shows it.
std::string card_text(const queue::hand_off_card& card, const std::string& heading) {
    std::string text = heading.empty() ? "Hand-off card" : heading;
    if (!card.note.empty()) text += "\nNote: " + card.note;
    if (!card.tried.empty()) text += "\nTried: " + card.tried;
    if (!card.promised.empty() || card.promised_at) {
        text += "\nPromised: " + (card.promised.empty() ? std::string("—") : card.promised);
        if (card.promised_at) text += " (by " + protocol::format_instant(*card.promised_at) + ")";
    }
    return text;
}

} // namespace

bool hub::may_note(const identity& w, const queue::conversation& c) {
    return w.role != role::customer && c.customer.tenant == w.tenant;
}

void hub::on(const session_ptr& p, const request_id& id, rq::note& r) {
    if (degraded())
        return refuse(p, id, protocol::code::unavailable,
                      "Redis is unavailable; the note was not saved");
    const auto* c = core_.find(r.conversation);
    if (!c) return refuse_gone(p, id, r.conversation);
    if (!may_note(p->who(), *c))
        return refuse(p, id, queue::make_error_code(queue::errc::unknown_conversation));
    auto numbering = notes_numbering_.find(r.conversation);
    if (numbering == notes_numbering_.end())
        return learn_notes_then(
            p, id, r.conversation,
            [self = shared_from_this(), p, id, r]() mutable { self->on(p, id, r); });
    step s;
    s.now = clock_.now();
    if (const auto* earlier = numbering->second.find(r.client_id)) {
        // A retry whose answer was lost: stored once, answered again with its number.
        ack(s, p, id, r.conversation, earlier->seq, earlier->at);
        return finish(std::move(s));
    }
    auto n = add_note(s, p, r.conversation, r.text, r.client_id);
    ack(s, p, id, r.conversation, n.seq, n.at);
    finish(std::move(s));
}

stored_note hub::add_note(step& s, const session_ptr& p, const std::string& conversation,
                          const std::string& text, const std::string& client_id) {
    const auto& w = p->who();
    const auto* c = core_.find(conversation);
    stored_note n{notes_numbering_.at(conversation).add(client_id, s.now),
                  p->key(),
                  std::string(protocol::to_string(w.role)),
                  w.name,
                  text,
                  client_id,
                  {},
                  s.now};
    for (const auto& user : queue::mentions_in(text))
        n.mentions.push_back(w.tenant + '/' + user);
    s.writes.notes.emplace_back(conversation, n);
    // The conversation's expert(s) and the colleagues named; the writer's other connections too.
    std::set<std::string> staff(n.mentions.begin(), n.mentions.end());
    for (const auto& x : {c->expert, c->last_expert})
        if (x) staff.insert(*x);
    if (w.role == role::expert) staff.insert(p->key());
    auto f = frame_of(event_of(conversation, n));
    for (const auto& x : staff) {
        s.out.push_back(notifications::to_expert(x, f));
        s.out.back().sender = p;
    }
    s.out.push_back(notifications::to_watchers(conversation, f));
    s.out.back().sender = p;
    return n;
}

void hub::learn_notes_then(const session_ptr& p, const request_id& id,
                           const std::string& conversation, std::function<void()> then) {
    store_->note_tail(conversation, queue::message_numbering::recent_limit,
                      [self = shared_from_this(), p, id, conversation,
                       then = std::move(then)](std::error_code ec, std::vector<stored_note> tail) {
                          if (ec) return self->refuse(p, id, ec);
                          // Only while the conversation is in memory (it is forgotten with it).
                          if (!self->core_.find(conversation))
                              return self->refuse_gone(p, id, conversation);
                          // A note numbered while this read was out is newer than what it found.
                          self->notes_numbering_.try_emplace(conversation, numbering_of_tail(tail));
                          then();
                      });
}

void hub::add_hand_off_card(step& s, const session_ptr& p, const std::string& conversation,
                            const queue::hand_off_card& card, const std::string& heading) {
    if (!card.empty() || !heading.empty()) add_note(s, p, conversation, card_text(card, heading), "");
}

void hub::on(const session_ptr& p, const request_id& id, rq::notes& r) {
    auto page = [self = shared_from_this(), p, id, r](std::optional<queue::conversation> c) {
        if (!c || !may_note(p->who(), *c))
            return self->refuse(p, id, queue::make_error_code(queue::errc::unknown_conversation));
        self->store_->notes(r.conversation, r.after.value_or(0), notes_page + 1,
                            [self, p, id, r](std::error_code ec, std::vector<stored_note> found) {
                                if (ec) return self->refuse(p, id, ec);
                                ev::notes answer{id, r.conversation, {}, found.size() > notes_page};
                                if (answer.more) found.resize(notes_page);
                                for (const auto& n : found)
                                    answer.notes.push_back(event_of(r.conversation, n));
                                p->deliver(frame_of(answer));
                            });
    };
    if (const auto* c = core_.find(r.conversation)) return page(*c);
    store_->conversation(r.conversation,
                         [self = shared_from_this(), p, id,
                          page](std::error_code ec, std::optional<queue::conversation> c) {
                             if (ec) return self->refuse(p, id, ec);
                             page(std::move(c));
                         });
}

} // namespace chat::server
