// The hub's lifecycle: start from Redis, the core's clock, and the hourly sweep.

#include "chat/server/app/hub.hpp"

#include "chat/server/app/notifications.hpp"
#include "chat/server/log.hpp"

#include <boost/asio/post.hpp>

namespace chat::server {

using namespace std::chrono_literals;

hub::hub(boost::asio::any_io_executor strand, std::shared_ptr<server::store> store, const server::clock& clock,
         queue::policy policy, hub_limits limits, std::shared_ptr<hub_counters> counters, hub_hooks hooks)
    : strand_(strand), store_(std::move(store)), clock_(clock), limits_(limits), core_(std::move(policy)),
      timer_(strand), recovery_timer_(strand), counters_(std::move(counters)), hooks_(std::move(hooks)) {}

void hub::start(std::function<void(std::error_code, start_report)> ready) {
    boost::asio::post(strand_, [self = shared_from_this(), ready = std::move(ready)]() mutable {
        self->load(std::chrono::steady_clock::now(), std::move(ready));
    });
}

void hub::redis_state(bool up) {
    boost::asio::post(strand_, [self = shared_from_this(), up] {
        if (self->stopped_) return;
        if (up) self->carry_out(self->pipeline_.on_retry(true));
        else self->check_idle();
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
    start_report report{state.core.conversations.size(), state.core.experts.size(), state.core.timers.size(), state.skipped,
                        {}, redis_loading_};
    if (state.skipped)
        log("start: skipped ", state.skipped, " stored records that could not be read; restored ",
            report.conversations, " conversations and ", report.experts, " experts");
    core_.restore(std::move(state.core));
    for (const auto& [id, c] : core_.conversations()) by_customer_[notifications::customer_key(c.customer)].insert(id);

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
    ready({}, report);
}

void hub::stop() {
    boost::asio::post(strand_, [self = shared_from_this()] {
        self->stopped_ = true;
        self->ready_ = false;
        self->timer_.cancel();
        self->recovery_timer_.cancel();
        self->audience_.clear();
        // Nothing more is stored by this hub: whoever waits for it to be idle need not wait.
        auto waiters = std::move(self->idle_waiters_);
        self->idle_waiters_.clear();
        for (auto& f : waiters) f();
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
        return !audience_.any(audience::group::customers, entry.first) && entry.second.full();
    });
    // Closed conversations whose survey never came leave memory after survey_wait.
    step s;
    s.now = now;
    for (const auto& [id, c] : core_.conversations())
        if (c.state == queue::conversation_state::closed && done_with(c, now)) s.writes.conversations.insert(id);
    if (!s.writes.empty()) finish(std::move(s));
}

} // namespace chat::server
