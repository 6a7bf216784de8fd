// Files in the chat, for the HTTP API: whether a file may be sent, sending it (stored
// already) as a message, and who may download an attachment.

#include "chat/server/app/hub.hpp"

#include "hub_shared.hpp"

#include "chat/server/app/attachments.hpp"
#include "chat/server/app/notifications.hpp"
#include "chat/server/app/reply_participant.hpp"

#include <boost/asio/post.hpp>

namespace chat::server {
namespace {

namespace ev = protocol::event;
using notifications::frame_of;


const nlohmann::json unknown = refusal("unknown_conversation", "no such conversation");

} // namespace

bool hub::may_send_file(const identity& who, const queue::conversation& c, std::uint64_t size, reply_handler& done) {
    if (degraded()) {
        done(503, refusal("unavailable", "Redis is unavailable; nothing was stored"));
        return false;
    }
    if (who.role == protocol::role::monitor) {
        done(403, refusal("wrong_role", "customers and the conversation's expert send files"));
        return false;
    }
    if (!may_read(who, c)) {
        done(404, unknown);
        return false;
    }
    if (c.state == queue::conversation_state::closed) {
        done(409, refusal("illegal_transition", "the conversation is closed"));
        return false;
    }
    auto used = files_used_.at(who.tenant);
    if (used + size > limits_.file_quota_bytes) {
        done(413, refusal("quota_exceeded", "this team's files take " + std::to_string(used) + " of its " +
                                                std::to_string(limits_.file_quota_bytes) + " bytes"));
        return false;
    }
    return true;
}

void hub::learn_files_used_then(const std::string& tenant, reply_handler done, std::function<void()> then) {
    if (files_used_.contains(tenant)) return then();
    store_->files_used(tenant, [self = shared_from_this(), tenant, done = std::move(done), then = std::move(then)](
                                   std::error_code ec, std::uint64_t used) {
        if (ec) return done(503, refusal("unavailable", "Redis is unavailable; nothing was stored"));
        self->files_used_.try_emplace(tenant, used);
        then();
    });
}

void hub::check_attach(identity who, std::string conversation, std::uint64_t size, reply_handler done) {
    boost::asio::post(strand_, [self = shared_from_this(), who = std::move(who), conversation = std::move(conversation), size,
                                done = std::move(done)]() mutable {
        auto tenant = who.tenant;
        self->learn_files_used_then(tenant, done, [self, who, conversation, size, done]() mutable {
            const auto* c = self->core_.find(conversation);
            if (!c) return done(404, unknown); // closed conversations leave memory: gone for files too
            if (self->may_send_file(who, *c, size, done)) done(200, nlohmann::json::object());
        });
    });
}

void hub::attach(identity who, std::string request, reply_handler done) {
    boost::asio::post(strand_, [self = shared_from_this(), who = std::move(who), text = std::move(request),
                                done = std::move(done)]() mutable {
        auto r = attach_request_of(nlohmann::json::parse(text, nullptr, false));
        if (!r) return done(400, refusal("bad_field", "an unreadable attachment"));
        self->learn_files_used_then(who.tenant, done, [self, who, r = std::move(*r), done]() mutable {
            const auto* c = self->core_.find(r.conversation);
            if (!c) return done(404, unknown);
            if (!self->may_send_file(who, *c, r.file.size, done)) return;
            auto file = r.file;
            auto p = reply_participant::make(who, [done, file](const nlohmann::json& answer) {
                if (answer.value("type", "") != "ok") {
                    auto code = answer.value("code", "unavailable");
                    return done(http_status_of(code), refusal(code, answer.value("message", "")));
                }
                done(200, {{"attachment", file.id}, {"name", file.name}, {"size", file.size},
                           {"content_type", file.content_type}, {"state", file.state},
                           {"conversation", answer.value("conversation", "")}, {"seq", answer.value("seq", 0)},
                           {"at", answer.value("at", "")}});
            });
            attachment_record record{r.file, who.tenant, r.conversation, p->key(), r.sha256, {}};
            self->message(p, std::string("upload"), r.conversation, r.file.name, r.client_id, std::move(record));
        });
    });
}

void hub::read_attachment(identity who, std::string id, reply_handler done) {
    boost::asio::post(strand_, [self = shared_from_this(), who = std::move(who), id = std::move(id),
                                done = std::move(done)]() mutable {
        self->store_->attachment(id, [self, who, done](std::error_code ec, std::optional<attachment_record> a) mutable {
            if (ec) return done(503, refusal("unavailable", "Redis is unavailable"));
            if (!a || a->tenant != who.tenant) return done(404, refusal("not_found", "no such attachment"));
            auto answer = [a = *a, done](bool allowed) {
                if (!allowed) return done(404, refusal("not_found", "no such attachment"));
                done(200, {{"attachment", a.file.id}, {"name", a.file.name}, {"size", a.file.size},
                           {"content_type", a.file.content_type}, {"state", a.file.state}, {"sha256", a.sha256},
                           {"conversation", a.conversation}});
            };
            if (a->uploader == who.tenant + '/' + who.subject) return answer(true);
            if (const auto* c = self->core_.find(a->conversation)) return answer(may_read(who, *c));
            self->store_->conversation(a->conversation, [who, answer, done](std::error_code ec2, std::optional<queue::conversation> c) {
                if (ec2) return done(503, refusal("unavailable", "Redis is unavailable"));
                answer(c && may_read(who, *c));
            });
        });
    });
}

void hub::scanned(identity who, std::string verdict, reply_handler done) {
    auto j = nlohmann::json::parse(verdict, nullptr, false);
    auto id = j.is_object() ? j.value("attachment", "") : "";
    auto state = j.is_object() ? j.value("state", "") : "";
    if (!protocol::valid_id(id) || (state != "clean" && state != "quarantined"))
        return done(400, refusal("bad_field", "a verdict is an attachment id and clean or quarantined"));
    // The store answers on the hub's strand (its home), as for read_attachment.
    store_->attachment(id, [self = shared_from_this(), who, state, done](std::error_code ec, std::optional<attachment_record> a) mutable {
        if (ec || self->degraded()) return done(503, refusal("unavailable", "Redis is unavailable"));
        if (!a || a->tenant != who.tenant) return done(404, refusal("not_found", "no such attachment"));
        if (a->file.state != "scanning") return done(200, {{"attachment", a->file.id}, {"state", a->file.state}});
        step s;
        s.now = self->clock_.now();
        s.writes.attachment_states.emplace_back(a->file.id, state);
        a->file.state = state;
        if (state == "quarantined") {
            identity chatd_itself;
            chatd_itself.tenant = a->tenant;
            self->audit(s, chatd_itself, "file_quarantined", a->conversation, a->file.id + " " + a->file.name);
        }
        if (const auto* c = self->core_.find(a->conversation)) {
            auto f = frame_of(ev::attachment_state{c->id, {a->file.id, a->file.name, a->file.size, a->file.content_type, state}});
            s.out.push_back(notifications::to_customer(c->customer, f));
            if (auto expert = c->expert ? c->expert : c->last_expert) s.out.push_back(notifications::to_expert(*expert, f));
        }
        auto p = reply_participant::make(who, [done, id = a->file.id, state](const nlohmann::json& answer) {
            if (answer.value("type", "") != "ok") return done(503, refusal("unavailable", answer.value("message", "")));
            done(200, {{"attachment", id}, {"state", state}});
        });
        self->ack(s, p, std::string("scan"));
        self->finish(std::move(s));
    });
}

} // namespace chat::server
