// What the ticket system reports back about a ticket (POST /api/v1/tickets/ID/status, its
// signature checked by the gateway): its status, kept and told to the customer, and a public
// comment, which joins the escalated conversation as a message from the desk. And the
// customer's own list of tickets.

#include "chat/server/app/hub.hpp"

#include "hub_shared.hpp"

#include "chat/protocol/iso8601.hpp"
#include "chat/server/app/reply_participant.hpp"

#include <algorithm>

namespace chat::server {
namespace {

namespace ev = protocol::event;
namespace rq = protocol::request;
using notifications::frame_of;

constexpr std::size_t status_max = 64;            // bytes of a status, in the system's own words
constexpr std::size_t author_max = 100;           // bytes of a comment's author's name
constexpr std::size_t comment_max = 4000;         // bytes of a comment, as of a chat message
constexpr std::size_t numberings_kept = 10'000;   // conversations out of memory whose comments are numbered here
constexpr std::size_t tickets_listed = 20;        // a customer's newest tickets, in `tickets`
constexpr std::string_view ticket_prefix = "T-";  // a ticket is named after its conversation

// Text a person wrote: no control characters but tab and newline.
bool readable(std::string_view s, std::size_t max) {
    return !s.empty() && s.size() <= max && std::none_of(s.begin(), s.end(), [](unsigned char c) {
        return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f;
    });
}

} // namespace

std::variant<hub::ticket_report, std::string> hub::parse_ticket_report(const std::string& ticket, const std::string& body) {
    ticket_report r;
    r.ticket = ticket;
    if (ticket.rfind(ticket_prefix, 0) != 0 || !protocol::valid_id(ticket.substr(ticket_prefix.size())))
        return std::string("not a ticket id (T- and the conversation's id)");
    r.conversation = ticket.substr(ticket_prefix.size());
    auto j = nlohmann::json::parse(body, nullptr, false);
    if (!j.is_object()) return std::string("the body must be a JSON object");
    if (j.contains("status")) {
        if (!j["status"].is_string() || !readable(j["status"].get_ref<const std::string&>(), status_max))
            return "status must be text of 1-" + std::to_string(status_max) + " bytes";
        r.status = j["status"].get<std::string>();
    }
    if (j.contains("comment")) {
        const auto& c = j["comment"];
        if (!c.is_object()) return std::string("comment must be an object: id, author, text");
        auto text = [&](const char* key) { return c.contains(key) && c[key].is_string() ? c[key].get<std::string>() : std::string(); };
        if (!protocol::valid_id(text("id"))) return std::string("comment.id must be 1-64 characters of A-Z a-z 0-9 . _ : @ -");
        if (!readable(text("author"), author_max)) return "comment.author must be text of 1-" + std::to_string(author_max) + " bytes";
        if (!readable(text("text"), comment_max)) return "comment.text must be text of 1-" + std::to_string(comment_max) + " bytes";
        r.comment_id = text("id");
        r.comment_author = text("author");
        r.comment_text = text("text");
    }
    if (!r.status && !r.comment_id) return std::string("nothing reported: give a status, a comment or both");
    return r;
}

void hub::update_ticket(identity who, std::string report, reply_handler done) {
    auto j = nlohmann::json::parse(report, nullptr, false);
    auto ticket = j.is_object() ? j.value("ticket", "") : "";
    auto parsed = parse_ticket_report(ticket, j.is_object() ? j.value("body", "") : "");
    if (auto* why = std::get_if<std::string>(&parsed)) return done(400, refusal("bad_field", *why));
    auto r = std::get<ticket_report>(std::move(parsed));
    auto with = [self = shared_from_this(), who, r, done](std::optional<queue::conversation> c) mutable {
        // Only a ticket of the endpoint's tenant, named after its own conversation.
        if (!c || c->customer.tenant != who.tenant || c->ticket != r.ticket)
            return done(404, refusal("not_found", "no such ticket"));
        self->report_ticket(who, std::move(*c), std::move(r), std::move(done));
    };
    if (const auto* c = core_.find(r.conversation)) return with(*c);
    store_->conversation(r.conversation, [self = shared_from_this(), with, done](std::error_code ec, std::optional<queue::conversation> c) mutable {
        if (ec) return done(503, refusal("unavailable", "Redis is unavailable"));
        with(std::move(c));
    });
}

void hub::report_ticket(const identity& who, queue::conversation c, ticket_report r, reply_handler done) {
    if (degraded()) return done(503, refusal("unavailable", "Redis is unavailable; nothing was stored"));
    std::optional<stored_message> comment;
    if (r.comment_id) {
        auto numbering = ticket_numbering_.find(c.id);
        if (numbering == ticket_numbering_.end())
            return learn_ticket_numbering_then(c.id, done, [self = shared_from_this(), who, c, r, done]() mutable {
                self->report_ticket(who, std::move(c), std::move(r), std::move(done));
            });
        auto client_id = "ticket:" + *r.comment_id;
        if (const auto* earlier = numbering->second.find(client_id)) {
            // The ticket system sent it again (its retry): stored once, answered with its number.
            return done(200, {{"ticket", r.ticket}, {"comment", {{"seq", earlier->seq}, {"repeated", true}}}});
        }
        auto now = clock_.now();
        comment = stored_message{numbering->second.add(client_id, now), queue::party::expert, who.subject, r.comment_author,
                                 r.comment_text, client_id, now, std::nullopt, {}, r.ticket};
    }
    step s;
    s.now = comment ? comment->at : clock_.now();
    const auto key = notifications::customer_key(c.customer);
    auto expert = c.expert ? c.expert : c.last_expert;
    if (r.status) {
        s.writes.ticket_statuses.emplace_back(r.ticket, ticket_status{*r.status, s.now, who.name});
        auto f = frame_of(ev::ticket{c.id, r.ticket, *r.status, s.now});
        s.out.push_back(notifications::to_customer(c.customer, f));
        if (expert) s.out.push_back(notifications::to_expert(*expert, f));
        audit_report(s, who, "ticket_status", c.id, *r.status);
    }
    if (comment) {
        s.writes.messages.emplace_back(c.id, *comment);
        ++counters_->messages;
        auto f = frame_of(notifications::message_event(c.id, *comment));
        s.out.push_back(notifications::chat_message(to::customer, key, f, c.id, comment->seq));
        if (expert) s.out.push_back(notifications::chat_message(to::expert, *expert, f, c.id, comment->seq));
        if (audience_.any(audience::group::watchers, c.id))
            s.out.push_back(notifications::chat_message(to::watchers, c.id, f, c.id, comment->seq));
        audit_report(s, who, "ticket_comment", c.id, "seq " + std::to_string(comment->seq));
    }
    nlohmann::json answer{{"ticket", r.ticket}};
    if (r.status) answer["status"] = *r.status;
    if (comment) answer["comment"] = {{"seq", comment->seq}, {"at", protocol::format_instant(comment->at)}};
    // Answered once stored: a report the ticket system was told "200" is never lost.
    auto p = reply_participant::make(who, [done, answer](const nlohmann::json& ok) {
        if (ok.value("type", "") != "ok") return done(503, refusal("unavailable", ok.value("message", "not stored; send it again")));
        done(200, answer);
    });
    ack(s, p, std::string("ticket"));
    finish(std::move(s));
}

void hub::audit_report(step& s, const identity& endpoint, std::string_view action, const std::string& conversation,
                       std::string detail) {
    s.writes.audit.push_back({endpoint.tenant, endpoint.subject, "system", std::string(action), conversation, std::move(detail),
                              s.now, random_hex(9)});
}

void hub::learn_ticket_numbering_then(const std::string& conversation, reply_handler done, std::function<void()> then) {
    // Numbering forgotten here is learnt again from the stream, which is exact once nothing is in flight.
    if (ticket_numbering_.size() >= numberings_kept && idle()) ticket_numbering_.clear();
    store_->tails({conversation}, queue::message_numbering::recent_limit,
                  [self = shared_from_this(), conversation, done, then = std::move(then)](
                      std::error_code ec, std::vector<std::vector<stored_message>> tails) {
                      if (ec || tails.size() != 1) return done(503, refusal("unavailable", "Redis is unavailable"));
                      // A comment numbered while this read was out is newer than what it found.
                      self->ticket_numbering_.try_emplace(conversation, numbering_of_tail(tails.front()));
                      then();
                  });
}

void hub::on(const session_ptr& p, const request_id& id, rq::tickets&) {
    const auto& who = p->who();
    store_->customer_conversations(who.tenant, who.subject, [self = shared_from_this(), p, id](std::error_code ec, std::vector<std::string> ids) {
        if (ec) return self->refuse(p, id, ec);
        self->store_->conversations(ids, [self, p, id](std::error_code ec2, std::vector<queue::conversation> found) {
            if (ec2) return self->refuse(p, id, ec2);
            const auto& me = p->who();
            std::erase_if(found, [&](const queue::conversation& c) {
                return !c.ticket || c.customer.tenant != me.tenant || c.customer.user != me.subject;
            });
            std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.opened_at > b.opened_at; });
            if (found.size() > tickets_listed) found.resize(tickets_listed);
            std::vector<std::string> tickets;
            for (const auto& c : found) tickets.push_back(*c.ticket);
            self->store_->ticket_statuses(tickets, [self, p, id, found](std::error_code ec3, std::vector<std::optional<ticket_status>> statuses) {
                if (ec3) return self->refuse(p, id, ec3);
                ev::tickets answer{id, {}};
                for (std::size_t i = 0; i < found.size(); ++i) {
                    const auto& c = found[i];
                    ev::ticket_entry e{*c.ticket, c.id, c.topic, c.opened_at, std::nullopt, std::nullopt};
                    if (i < statuses.size() && statuses[i]) {
                        e.status = statuses[i]->status;
                        e.updated_at = statuses[i]->at;
                    }
                    answer.tickets.push_back(std::move(e));
                }
                p->deliver(frame_of(answer));
            });
        });
    });
}

} // namespace chat::server
