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
            if (up) h->carry_out(h->pipeline_.on_retry(true));
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
    carry_out(pipeline_.submit(std::move(s), store_->available()));
}

void hub::carry_out(commit_pipeline::action a) {
    for (const auto& u : a.unconfirmed)
        if (auto p = u.session.lock()) p->deliver(std::make_shared<const std::string>(protocol::to_text(ev_error_unconfirmed(u.id))));
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
    auto batch = build(w);
    auto started = std::chrono::steady_clock::now();
    auto steps = pipeline_.waiting();
    store_->commit(std::move(batch), [self = shared_from_this(), started, steps](std::error_code ec) {
        self->count_commit(started, steps);
        if (ec) {
            ++self->counters_.commit_failures;
            if (self->failing_since_ == std::chrono::steady_clock::time_point{}) {
                self->failing_since_ = std::chrono::steady_clock::now();
                log("a commit failed (", steps, " steps): ", ec.message(),
                    "; their requests are answered unavailable, and what they changed is written again until it is stored");
            }
        }
        self->carry_out(self->pipeline_.on_committed(ec, self->store_->available()));
    });
}

void hub::count_commit(std::chrono::steady_clock::time_point started, std::size_t steps) {
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
    counters_.commit_micros_total += static_cast<std::uint64_t>(micros);
    static constexpr long long bounds[] = {500, 1000, 2000, 5000, 10000, 50000, 250000};
    std::size_t bucket = 0;
    while (bucket < 7 && micros > bounds[bucket]) ++bucket;
    ++counters_.commit_latency_buckets[bucket];
    ++counters_.commits;
    counters_.committed_steps += steps;
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
