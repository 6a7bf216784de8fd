// The hub's lifecycle: start from Redis, store each step, deliver it, recover from outages.

#include "chat/server/app/hub.hpp"

#include "chat/server/log.hpp"

#include <boost/asio/post.hpp>

namespace chat::server {

using namespace std::chrono_literals;

namespace {

// The answer to a request whose step could not be stored in time: it may still be stored
// (written again until it is), so a retry with the same client_id is safe and answered once.
protocol::event::error ev_error_unconfirmed(std::optional<std::string> id) {
    return {std::move(id), std::string(protocol::code::unavailable),
            "not confirmed: Redis did not answer in time; retry (with the same client_id for a send)"};
}

} // namespace

void hub::pending_write::merge(pending_write&& o) {
    conversations.merge(o.conversations);
    experts.merge(o.experts);
    timers.merge(o.timers);
    for (auto& m : o.messages) messages.push_back(std::move(m));
    for (auto& t : o.tickets) tickets.push_back(std::move(t));
    for (auto& l : o.links) links.push_back(std::move(l));
    for (auto& r : o.restrictions) restrictions.push_back(std::move(r));
    average_handle = average_handle || o.average_handle;
}

hub::hub(boost::asio::any_io_executor strand, std::shared_ptr<server::store> store, const server::clock& clock,
         queue::policy policy, hub_limits limits)
    : strand_(strand), store_(std::move(store)), clock_(clock), limits_(limits), core_(std::move(policy)),
      timer_(strand), recovery_timer_(strand) {}

void hub::start(std::function<void(std::error_code, start_report)> ready) {
    boost::asio::post(strand_, [self = shared_from_this(), ready = std::move(ready)]() mutable {
        auto began = std::chrono::steady_clock::now();
        self->store_->redis().on_state_change([weak = std::weak_ptr<hub>(self)](bool up) {
            auto h = weak.lock();
            if (!h) return;
            if (up) h->recover();
            else h->check_idle();
        });
        self->load(began, std::move(ready));
    });
}

void hub::load(std::chrono::steady_clock::time_point began, std::function<void(std::error_code, start_report)> ready) {
    store_->load([self = shared_from_this(), began, ready = std::move(ready)](std::error_code ec, loaded_state state) mutable {
        // A Redis that is still loading its AOF answers LOADING: ask again shortly.
        if (ec == redis::errc::loading && !self->stopped_) {
            self->redis_loading_ = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began);
            self->timer_.expires_after(50ms);
            self->timer_.async_wait([self, began, ready = std::move(ready)](boost::system::error_code e) mutable {
                if (e) return ready(make_error_code(redis::errc::stopped), {});
                self->load(began, std::move(ready));
            });
            return;
        }
        if (ec) return ready(ec, {});
        self->on_loaded(std::move(state), began, std::move(ready));
    });
}

void hub::on_loaded(loaded_state state, std::chrono::steady_clock::time_point began,
                    std::function<void(std::error_code, start_report)> ready) {
    start_report report;
    report.conversations = state.core.conversations.size();
    report.experts = state.core.experts.size();
    report.timers = state.core.timers.size();
    report.skipped = state.skipped;
    if (state.skipped)
        log("start: skipped ", state.skipped, " stored records that could not be read; restored ",
            state.core.conversations.size(), " conversations and ", state.core.experts.size(), " experts");
    core_.restore(std::move(state.core));
    for (const auto& [id, c] : core_.conversations()) by_customer_[c.customer.tenant + '/' + c.customer.user].insert(id);

    // Nobody is connected after a start: experts get their grace period to come back.
    step s;
    s.now = clock_.now();
    std::vector<std::string> experts;
    for (const auto& [id, x] : core_.experts())
        if (x.connected) experts.push_back(id);
    for (const auto& id : experts) record(s, core_.expert_disconnected(id, s.now));
    record(s, core_.advance(s.now));
    finish(std::move(s));
    ready_ = true;
    arm_timer();
    report.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began);
    report.redis_loading = redis_loading_;
    ready({}, report);
}

void hub::stop() {
    boost::asio::post(strand_, [self = shared_from_this()] {
        self->stopped_ = true;
        self->ready_ = false;
        self->timer_.cancel();
        self->recovery_timer_.cancel();
        for (auto* group : {&self->customers_, &self->experts_, &self->monitors_}) group->clear();
        self->cursors_.clear();
    });
}

void hub::when_idle(std::function<void()> f) {
    boost::asio::post(strand_, [self = shared_from_this(), f = std::move(f)]() mutable {
        self->idle_waiters_.push_back(std::move(f));
        self->check_idle();
    });
}

void hub::check_idle() {
    if (idle_waiters_.empty() || (!idle() && store_->available())) return;
    auto waiters = std::move(idle_waiters_);
    idle_waiters_.clear();
    for (auto& f : waiters) f();
}

void hub::time_moved() {
    boost::asio::post(strand_, [self = shared_from_this()] { self->on_timer(); });
}

bool hub::done_with(const queue::conversation& c, queue::instant now) const {
    if (c.state != queue::conversation_state::closed) return false;
    if (!c.survey_requested || c.survey_rating) return true;
    return c.closed_at && now - *c.closed_at >= limits_.survey_wait;
}

write_batch hub::build(const pending_write& w) {
    write_batch b;
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
    for (const auto& [ticket, t] : w.tickets) b.ticket(ticket, t, now);
    for (const auto& [who, id] : w.links) b.link_customer(who, id);
    for (const auto& r : w.restrictions) b.restrict(r.tenant, r.user, r.until);
    if (w.average_handle) b.average_handle(core_.average_handle_time());
    return b;
}

void hub::finish(step s) {
    // A timer this step set (or a position pass it held back) may fall due before the one
    // the clock waits for.
    if (auto due = core_.next_deadline(); due && (!timer_due_ || *due < *timer_due_)) arm_timer();
    if (degraded()) {
        // Keep the order: nothing is told before everything before it is stored.
        unconfirm(s);
        dirty_.merge(pending_write(s.writes));
        undelivered_.push_back(std::move(s));
        has_undelivered_ = true;
        recover();
        return;
    }
    gathering_.push_back(std::move(s));
    if (!committing_) commit_gathered();
}

void hub::commit_gathered() {
    if (gathering_.empty() || committing_) return;
    // Group commit: the steps that came while the last write was in flight go as one batch.
    auto steps = std::move(gathering_);
    gathering_.clear();
    pending_write all;
    for (const auto& st : steps) all.merge(pending_write(st.writes));
    auto batch = build(all);
    auto started = std::chrono::steady_clock::now();
    committing_ = true;
    ++in_flight_;
    store_->commit(std::move(batch), [self = shared_from_this(), steps = std::move(steps), started](std::error_code ec) mutable {
        self->committing_ = false;
        --self->in_flight_;
        auto micros = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
        self->counters_.commit_micros_total += static_cast<std::uint64_t>(micros);
        static constexpr long long bounds[] = {500, 1000, 2000, 5000, 10000, 50000, 250000};
        std::size_t bucket = 0;
        while (bucket < 7 && micros > bounds[bucket]) ++bucket;
        ++self->counters_.commit_latency_buckets[bucket];
        ++self->counters_.commits;
        self->counters_.committed_steps += steps.size();
        if (ec || !self->undelivered_.empty()) {
            if (ec) ++self->counters_.commit_failures;
            if (self->undelivered_.empty()) {
                self->failing_since_ = std::chrono::steady_clock::now();
                log("a commit failed (", steps.size(), " steps): ", ec.message(),
                    "; their requests are answered unavailable, and what they changed is written again until it is stored");
            }
            // Their outcome in Redis is unknown: write their records again from the current
            // state, and keep the steps gathered meanwhile behind them.
            for (auto* group : {&steps, &self->gathering_})
                for (auto& st : *group) {
                    self->unconfirm(st);
                    self->dirty_.merge(pending_write(st.writes));
                    self->undelivered_.push_back(std::move(st));
                }
            self->gathering_.clear();
            self->has_undelivered_ = true;
            self->recover();
            return;
        }
        for (auto& st : steps) self->delivered(st);
        self->commit_gathered();
        self->check_idle();
    });
}

void hub::recover() {
    if (recovering_ || undelivered_.empty() || stopped_) return;
    if (!store_->available()) return; // on_state_change(true) calls again
    recovering_ = true;
    auto batch = build(dirty_);
    store_->commit(std::move(batch), [self = shared_from_this()](std::error_code ec) {
        self->recovering_ = false;
        if (ec) {
            self->recovery_timer_.expires_after(500ms);
            self->recovery_timer_.async_wait([self](boost::system::error_code e) {
                if (!e) self->recover();
            });
            return;
        }
        self->dirty_ = {};
        auto steps = std::move(self->undelivered_);
        self->undelivered_.clear();
        self->has_undelivered_ = false;
        auto outage = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - self->failing_since_);
        log("commits recovered after ", outage.count(), " ms: ", steps.size(), " held steps stored, now delivered");
        for (auto& s : steps) self->delivered(s);
        self->check_idle();
        self->arm_timer();
    });
}

void hub::unconfirm(step& s) {
    auto answered = std::stable_partition(s.out.begin(), s.out.end(), [](const outgoing& o) { return !o.answers; });
    for (auto it = answered; it != s.out.end(); ++it) {
        if (auto p = it->session.lock()) {
            std::optional<std::string> id;
            if (!it->answers->empty()) id = *it->answers;
            p->deliver(std::make_shared<const std::string>(protocol::to_text(ev_error_unconfirmed(id))));
        }
    }
    s.out.erase(answered, s.out.end());
}

void hub::delivered(step& s) {
    for (const auto& o : s.out) send(o);
    // Closed conversations whose last state is stored leave memory.
    for (const auto& id : s.writes.conversations) {
        const auto* c = core_.find(id);
        if (!c || !done_with(*c, clock_.now())) continue;
        auto key = c->customer.tenant + '/' + c->customer.user;
        if (auto it = by_customer_.find(key); it != by_customer_.end()) {
            it->second.erase(id);
            if (it->second.empty()) by_customer_.erase(it);
        }
        core_.forget(id);
    }
}

void hub::send(const outgoing& o) {
    auto to_all = [&](auto& group, const std::string& key) {
        auto it = group.find(key);
        if (it == group.end()) return;
        auto sender = o.sender.lock();
        for (const auto& p : it->second) {
            if (p == sender) continue;
            if (o.seq) send_message(p, o);
            else p->deliver(o.f);
        }
    };
    switch (o.kind) {
    case to::customer: to_all(customers_, o.key); return;
    case to::expert: to_all(experts_, o.key); return;
    case to::monitors: to_all(monitors_, o.key); return;
    case to::session:
        if (auto p = o.session.lock()) p->deliver(o.f);
        return;
    }
}

void hub::send_message(const session_ptr& p, const outgoing& o) {
    auto& cursor = cursors_[{p.get(), o.conversation}];
    if (cursor.replaying) {
        // Beyond a page, what is held would be read from Redis by the next page anyway.
        if (cursor.held.size() < limits_.history_page) cursor.held.emplace_back(o.seq, o.f);
        return;
    }
    if (o.seq <= cursor.sent) return;
    cursor.sent = o.seq;
    p->deliver(o.f);
}

void hub::arm_timer() {
    if (stopped_) return;
    auto due = core_.next_deadline();
    timer_due_ = due;
    // At least hourly, for the sweep. A manual clock never reaches a deadline by itself;
    // time_moved() fires it.
    queue::duration wait = std::chrono::hours(1);
    if (due) wait = std::clamp<queue::duration>(*due - clock_.now(), queue::duration::zero(), wait);
    timer_.expires_after(wait);
    timer_.async_wait([weak = std::weak_ptr<hub>(shared_from_this())](boost::system::error_code ec) {
        if (auto self = weak.lock(); self && !ec) self->on_timer();
    });
}

void hub::on_timer() {
    if (stopped_ || !ready_) return;
    if (degraded()) return; // fired again once Redis is back and everything is stored
    step s;
    s.now = clock_.now();
    auto out = core_.advance(s.now);
    if (!out.effects.empty() || !out.changed_conversations.empty()) {
        record(s, out);
        finish(std::move(s));
    }
    sweep(s.now);
    arm_timer();
}

void hub::sweep(queue::instant now) {
    if (now - last_sweep_ < std::chrono::hours(1)) return;
    last_sweep_ = now;
    // Rate buckets of customers who are gone and back to a full burst.
    std::erase_if(customer_rates_, [&](const auto& entry) {
        return !customers_.count(entry.first) && entry.second.full();
    });
    // Closed conversations whose survey never came leave memory after survey_wait.
    std::vector<std::string> stale;
    for (const auto& [id, c] : core_.conversations())
        if (c.state == queue::conversation_state::closed && done_with(c, now)) stale.push_back(id);
    if (stale.empty()) return;
    step s;
    s.now = now;
    for (auto& id : stale) s.writes.conversations.insert(id);
    finish(std::move(s));
}

} // namespace chat::server
