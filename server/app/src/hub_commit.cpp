// Storing each step through the group commit, then telling everyone it concerns.

#include "chat/server/app/hub.hpp"

#include "chat/server/app/notifications.hpp"
#include "chat/server/app/webhook_events.hpp"
#include "chat/server/log.hpp"

namespace chat::server {

using namespace std::chrono_literals;

namespace {

// The answer to a request whose step could not be stored in time: it may still be stored
// (written again until it is), so a retry with the same client_id is safe and answered once.
protocol::event::error unconfirmed(std::optional<std::string> id) {
    return {std::move(id), std::string(protocol::code::unavailable),
            "not confirmed: Redis did not answer in time; retry (with the same client_id for a send)"};
}

} // namespace

void hub::record(step& s, const queue::outcome& out) {
    notifications::writes_for(out, s.writes);
    webhook_events::collect(out, core_, s.now, hooks_.webhook_events, event_ids_, s.writes.webhooks);
    counters_->count(out);
    for (const auto& e : out.effects) notifications::tell(core_, e, s.out);
    for (const auto& id : out.changed_conversations)
        if (const auto* c = core_.find(id)) {
            notifications::snapshot_to_parties(core_, *c, s.out);
            tell_watchers(s, id, [&] { return notifications::snapshot(core_, *c, notifications::viewer::staff); });
        }
    auto figures_changed = feed_.collect(out, core_, s.now);
    if (!audience_.any(audience::group::monitors)) return;
    auto watched = [this](const std::string& tenant) { return audience_.any(audience::group::monitors, tenant); };
    for (auto& [tenant, delta] : feed_.deltas(out, figures_changed, core_, s.now, watched))
        s.out.push_back(notifications::to_monitors(tenant, notifications::frame_of(delta)));
}

void hub::finish(step s) {
    // A timer this step set (or a position pass it held back) may fall due before the one
    // the clock waits for.
    if (auto due = core_.next_deadline(); due && (!timer_due_ || *due < *timer_due_)) arm_timer();
    carry_out(pipeline_.submit(std::move(s), store_->available()));
}

void hub::carry_out(commit_pipeline::action a) {
    for (const auto& u : a.unconfirmed)
        if (auto p = u.session.lock()) p->deliver(notifications::frame_of(unconfirmed(u.id)));
    bool recovered = failing_since_ != std::chrono::steady_clock::time_point{} && !pipeline_.degraded();
    if (recovered) {
        auto outage = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - failing_since_);
        log("commits recovered after ", outage.count(), " ms: ", a.deliver.size(), " held steps stored, now delivered");
        failing_since_ = {};
    }
    for (auto& s : a.deliver) delivered(s);
    if (a.write) write(*a.write);
    if (a.retry_later && !stopped_) {
        recovery_timer_.expires_after(500ms);
        recovery_timer_.async_wait([self = shared_from_this()](boost::system::error_code e) {
            if (!e) self->carry_out(self->pipeline_.on_retry(self->store_->available()));
        });
    }
    busy_ = !pipeline_.idle();
    if (recovered) arm_timer(); // timers that fell due during the outage fire now
    check_idle();
}

void hub::write(const pending_write& w) {
    auto started = std::chrono::steady_clock::now();
    auto steps = pipeline_.waiting();
    bool webhooks = !w.webhooks.empty();
    store_->commit(build(w), [self = shared_from_this(), started, steps, webhooks](std::error_code ec) {
        self->on_written(ec, started, steps);
        if (!ec && webhooks && self->hooks_.webhooks_written) self->hooks_.webhooks_written();
    });
}

void hub::on_written(std::error_code ec, std::chrono::steady_clock::time_point started, std::size_t steps) {
    counters_->commit_took(std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started),
                          steps);
    if (ec == redis::errc::fenced && hooks_.fenced) hooks_.fenced();
    if (ec) {
        ++counters_->commit_failures;
        if (failing_since_ == std::chrono::steady_clock::time_point{}) {
            failing_since_ = std::chrono::steady_clock::now();
            log("a commit failed (", steps, " steps): ", ec.message(),
                "; their requests are answered unavailable, and what they changed is written again until it is stored");
        }
    }
    carry_out(pipeline_.on_committed(ec, store_->available()));
}

write_batch hub::build(const pending_write& w) {
    write_batch b(store_->keys());
    auto now = clock_.now();
    for (const auto& id : w.conversations) {
        const auto* c = core_.find(id);
        if (!c) continue; // forgotten after its last state was stored
        b.put(*c);
        if (done_with(*c, now)) b.drop_live(id);
    }
    for (const auto& id : w.experts)
        if (const auto* x = core_.find_expert(id)) b.put(*x);
    for (const auto& [kind, subject] : w.timers) {
        auto due = core_.timer_due(kind, subject);
        if (due) b.timer_set({kind, subject, *due});
        else b.timer_cleared({kind, subject, {}});
    }
    for (const auto& [id, m] : w.messages) b.append(id, m);
    for (const auto& [id, n] : w.notes) b.append_note(id, n);
    for (const auto& a : w.attachments) b.put_attachment(a);
    for (const auto& [id, state] : w.attachment_states) b.attachment_state(id, state);
    for (const auto& e : w.audit) b.audit(e);
    for (const auto& [ticket, t] : w.tickets) b.ticket(ticket, t, now);
    for (const auto& [ticket, t] : w.ticket_statuses) b.ticket_status(ticket, t);
    for (const auto& e : w.webhooks) b.webhook(e);
    for (const auto& [who, id] : w.links) b.link_customer(who, id);
    for (const auto& r : w.restrictions) b.restrict(r.tenant, r.user, r.until);
    for (const auto& [tenant, a] : w.answers) b.put_answer(tenant, a);
    for (const auto& [tenant, owner, id] : w.answers_dropped) b.drop_answer(tenant, owner, id);
    if (w.average_handle) b.average_handle(core_.average_handle_time());
    return b;
}

void hub::delivered(step& s) {
    for (const auto& o : s.out) send(o);
    // Closed conversations whose last state is stored leave memory.
    for (const auto& id : s.writes.conversations) {
        const auto* c = core_.find(id);
        if (!c || !done_with(*c, clock_.now())) continue;
        auto key = notifications::customer_key(c->customer);
        if (auto it = by_customer_.find(key); it != by_customer_.end()) {
            it->second.erase(id);
            if (it->second.empty()) by_customer_.erase(it);
        }
        core_.forget(id);
        notes_numbering_.erase(id);
    }
}

void hub::send(const outgoing& o) {
    if (o.kind == to::session) {
        auto p = o.session.lock();
        if (p && o.seq) p->deliver_own(o.conversation, o.seq, o.f); // the ok of its own message
        else if (p) p->deliver(o.f);
        return;
    }
    auto group = o.kind == to::customer ? audience::group::customers
                 : o.kind == to::expert ? audience::group::experts
                 : o.kind == to::watchers ? audience::group::watchers
                                        : audience::group::monitors;
    auto sender = o.sender.lock();
    audience_.each(group, o.key, [&](const session_ptr& p) {
        if (p == sender) return;
        if (o.seq) p->deliver_message(o.conversation, o.seq, o.f);
        else p->deliver(o.f);
    });
}

} // namespace chat::server
