// Saved answers: canned responses shared by a tenant's staff or an expert's own, kept in the
// tenant's shard (a hash per owner). A change is stored with the step like any decision, a
// shared one audited with it, and answered with the list as it now is.

#include "chat/server/app/hub.hpp"

#include "chat/server/app/notifications.hpp"

#include <algorithm>

namespace chat::server {
namespace {

namespace ev = protocol::event;
namespace rq = protocol::request;
using notifications::frame_of;

constexpr std::size_t max_title = 200;

ev::saved_answer entry_of(const saved_answer& a) {
    auto some = [](const std::string& s) { return s.empty() ? std::nullopt : std::optional(s); };
    return {a.id, a.owner.empty(), a.title, a.text, some(a.shortcut), some(a.action),
            a.action == "propose_time" ? std::optional(a.action_minutes) : std::nullopt, a.updated_by, a.updated_at,
            a.action == "set_severity" ? std::optional(a.action_severity) : std::nullopt};
}

// The shared ones first, then one's own; each by title.
ev::answers listed(const std::optional<std::string>& id, std::vector<saved_answer> all) {
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
        return std::tuple(!a.owner.empty(), a.title, a.id) < std::tuple(!b.owner.empty(), b.title, b.id);
    });
    ev::answers out{id, {}};
    for (const auto& a : all) out.answers.push_back(entry_of(a));
    return out;
}

// Why a saved answer cannot be stored as asked, or nothing.
std::optional<std::string> invalid(const rq::answer_save& r) {
    if (r.title.empty() || r.title.size() > max_title) return "title: 1 to 200 bytes";
    auto action = r.action.value_or("");
    if (action != "" && action != "hold" && action != "escalate" && action != "propose_time" && action != "set_severity")
        return "action: hold, escalate, propose_time or set_severity";
    if ((action == "propose_time") != r.in_minutes.has_value()) return "in_minutes: given with propose_time, and only then";
    if ((action == "set_severity") != r.severity.has_value()) return "severity: given with set_severity, and only then";
    return std::nullopt;
}

} // namespace

void hub::on(const session_ptr& p, const request_id& id, rq::answers&) {
    store_->saved_answers(p->who().tenant, p->who().subject, [p, id](std::error_code ec, std::vector<saved_answer> all) {
        if (ec) return p->deliver(frame_of(ev::error{id, std::string(protocol::code::unavailable), "Redis is unavailable"}));
        p->deliver(frame_of(listed(id, std::move(all))));
    });
}

void hub::on(const session_ptr& p, const request_id& id, rq::answer_save& r) {
    if (auto why = invalid(r)) return refuse(p, id, protocol::code::bad_field, *why);
    if (degraded()) return refuse(p, id, protocol::code::unavailable, "Redis is unavailable; nothing was saved");
    const auto& who = p->who();
    store_->saved_answers(who.tenant, who.subject, [self = shared_from_this(), p, id, r](std::error_code ec, std::vector<saved_answer> all) {
        if (ec) return self->refuse(p, id, ec);
        const auto& w = p->who();
        auto owner = r.shared.value_or(false) ? std::string() : w.subject;
        auto same_scope = [&](const saved_answer& a) { return a.owner == owner; };
        auto scope_size = static_cast<std::size_t>(std::count_if(all.begin(), all.end(), same_scope));
        auto existing = std::find_if(all.begin(), all.end(), [&](const auto& a) { return same_scope(a) && r.answer && a.id == *r.answer; });
        if (r.answer && existing == all.end())
            return self->refuse(p, id, queue::code_name(queue::errc::invalid_argument), "no saved answer with that id here");
        auto limit = owner.empty() ? self->limits_.shared_answers : self->limits_.personal_answers;
        if (!r.answer && scope_size >= limit)
            return self->refuse(p, id, queue::code_name(queue::errc::invalid_argument),
                                "at most " + std::to_string(limit) + " saved answers there: delete one first");
        if (r.shortcut && std::any_of(all.begin(), all.end(), [&](const auto& a) {
                return same_scope(a) && a.shortcut == *r.shortcut && (!r.answer || a.id != *r.answer);
            }))
            return self->refuse(p, id, protocol::code::bad_field, "shortcut: /" + *r.shortcut + " is taken");
        step s;
        s.now = self->clock_.now();
        saved_answer a{r.answer.value_or(random_hex(8)), owner, r.title, r.text, r.shortcut.value_or(""), r.action.value_or(""),
                       r.in_minutes.value_or(0), w.tenant + '/' + w.subject, s.now, r.severity.value_or(0)};
        s.writes.answers.emplace_back(w.tenant, a);
        if (owner.empty()) self->audit(s, w, "answer_saved", "", a.title);
        if (existing != all.end()) *existing = a;
        else all.push_back(a);
        s.out.push_back(notifications::to_session(p, frame_of(listed(id, std::move(all)))));
        s.out.back().answers = id.value_or("");
        self->finish(std::move(s));
    });
}

void hub::on(const session_ptr& p, const request_id& id, rq::answer_delete& r) {
    if (degraded()) return refuse(p, id, protocol::code::unavailable, "Redis is unavailable; nothing was deleted");
    const auto& who = p->who();
    store_->saved_answers(who.tenant, who.subject, [self = shared_from_this(), p, id, r](std::error_code ec, std::vector<saved_answer> all) {
        if (ec) return self->refuse(p, id, ec);
        const auto& w = p->who();
        auto owner = r.shared.value_or(false) ? std::string() : w.subject;
        auto gone = std::find_if(all.begin(), all.end(), [&](const auto& a) { return a.owner == owner && a.id == r.answer; });
        if (gone == all.end()) return self->refuse(p, id, queue::code_name(queue::errc::invalid_argument), "no saved answer with that id here");
        step s;
        s.now = self->clock_.now();
        s.writes.answers_dropped.push_back({w.tenant, owner, r.answer});
        if (owner.empty()) self->audit(s, w, "answer_deleted", "", gone->title);
        all.erase(gone);
        s.out.push_back(notifications::to_session(p, frame_of(listed(id, std::move(all)))));
        s.out.back().answers = id.value_or("");
        self->finish(std::move(s));
    });
}

} // namespace chat::server
