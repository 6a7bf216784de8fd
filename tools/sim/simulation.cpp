#include "simulation.hpp"

#include "chat/queue/core.hpp"

#include <algorithm>
#include <cmath>
#include <queue>
#include <random>
#include <unordered_map>
#include <vector>

namespace chat::sim {
namespace {

using queue::duration;
using queue::instant;

enum class event_kind { arrival, handled, patience_out };

struct event {
    instant at;
    std::uint64_t order; // keeps simultaneous events in the order they were made
    event_kind kind;
    int tier;
    std::string conversation;
    bool operator>(const event& o) const { return std::tie(at, order) > std::tie(o.at, o.order); }
};

duration from_seconds(double s) { return duration{static_cast<duration::rep>(std::llround(s * 1000.0))}; }

double percentile(const std::vector<double>& sorted, double p) {
    if (sorted.empty()) return 0;
    auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
    return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

// The simulation's running state.
class simulator {
public:
    explicit simulator(const scenario& s) : s_(s), rng_(s.seed), core_(make_policy()) {
        for (int i = 0; i < s.experts; ++i) {
            auto id = "expert-" + std::to_string(i);
            core_.register_expert({id, "sim", id, s.capacity, {}, true}, start_);
            core_.set_presence(id, queue::presence::available, start_);
        }
    }

    report run() {
        for (int t = 0; t < 2; ++t)
            if (s_.arrivals_per_hour[t] > 0) schedule_arrival(t, start_);
        while (!events_.empty() || core_.next_deadline()) {
            auto next_timer = core_.next_deadline();
            if (!events_.empty() && (!next_timer || events_.top().at <= *next_timer)) {
                auto e = events_.top();
                events_.pop();
                handle(e);
            } else {
                apply(core_.advance(*next_timer), *next_timer);
            }
            ++report_.events;
        }
        finish();
        return report_;
    }

private:
    queue::policy make_policy() {
        queue::policy p;
        for (auto& t : p.tiers) {
            t.hours = queue::business_hours::around_the_clock();
            t.sla_in_business_time = false;
        }
        p.track_positions = false;
        p.inactivity_active = std::chrono::hours{24 * 365}; // a simulated chat never goes idle
        p.default_capacity = s_.capacity;
        return p;
    }

    void push(instant at, event_kind k, int tier, std::string id) {
        events_.push({at, ++order_, k, tier, std::move(id)});
    }

    void schedule_arrival(int tier, instant after) {
        std::exponential_distribution<double> gap(s_.arrivals_per_hour[tier] / 3600.0);
        auto at = after + from_seconds(gap(rng_));
        if (at < end_) push(at, event_kind::arrival, tier, {});
    }

    duration sample_handle() {
        double mean = s_.handle_minutes * 60.0;
        switch (s_.handle) {
        case handle_distribution::fixed: return from_seconds(mean);
        case handle_distribution::exponential:
            return from_seconds(std::exponential_distribution<double>(1.0 / mean)(rng_));
        case handle_distribution::lognormal: {
            constexpr double sigma = 0.6;
            double mu = std::log(mean) - sigma * sigma / 2;
            return from_seconds(std::lognormal_distribution<double>(mu, sigma)(rng_));
        }
        }
        return from_seconds(mean);
    }

    void handle(const event& e) {
        switch (e.kind) {
        case event_kind::arrival: {
            std::string id(1, 'c'); // appended, not "c" + ...: GCC 12 warns falsely on that (PR 105651)
            id += std::to_string(++opened_);
            auto tier = static_cast<queue::tier>(e.tier);
            tiers_[id] = {e.tier, e.at};
            ++report_.tiers[e.tier].conversations;
            queue::opening o{id, {"sim", id, tier, ""}, "", "", queue::default_severity, {}, {}, "", "", ""};
            apply(core_.open(o, e.at), e.at);
            if (s_.patience_minutes && core_.find(id) &&
                core_.find(id)->state == queue::conversation_state::queued)
                push(e.at + from_seconds(*s_.patience_minutes * 60), event_kind::patience_out, e.tier, id);
            schedule_arrival(e.tier, e.at);
            break;
        }
        case event_kind::handled: {
            const auto* c = core_.find(e.conversation);
            if (c && c->expert) apply(core_.expert_close(*c->expert, e.conversation, e.at), e.at);
            break;
        }
        case event_kind::patience_out: {
            const auto* c = core_.find(e.conversation);
            if (c && c->state == queue::conversation_state::queued) {
                ++report_.tiers[e.tier].abandoned;
                apply(core_.customer_close(e.conversation, c->customer, e.at), e.at);
            }
            break;
        }
        }
    }

    void apply(const queue::outcome& out, instant now) {
        for (const auto& fx : out.effects) {
            if (auto* a = std::get_if<queue::effect::assigned>(&fx)) {
                auto& [tier, opened] = tiers_.at(a->conversation);
                waits_[tier].push_back(std::chrono::duration<double>(now - opened).count());
                auto handle = sample_handle();
                busy_ += std::min(now + handle, end_) - std::min(now, end_);
                push(now + handle, event_kind::handled, tier, a->conversation);
                // Experts greet at once: that is the first response the SLA clock waits for.
                apply(core_.expert_message(a->expert, a->conversation, "", now), now);
            } else if (auto* b = std::get_if<queue::effect::sla_breached>(&fx)) {
                ++report_.tiers[tiers_.at(b->conversation).first].sla_breaches;
            } else if (auto* c = std::get_if<queue::effect::closed>(&fx)) {
                closed_.push_back(c->conversation);
            }
        }
        // Closed conversations are done with; keep the core's memory flat.
        for (const auto& id : closed_) {
            core_.forget(id);
            tiers_.erase(id);
        }
        closed_.clear();
    }

    void finish() {
        for (int t = 0; t < 2; ++t) {
            auto& w = waits_[t];
            auto& r = report_.tiers[t];
            std::sort(w.begin(), w.end());
            r.assigned = w.size();
            if (w.empty()) continue;
            double sum = 0;
            for (double x : w) sum += x;
            r.wait_mean_s = sum / static_cast<double>(w.size());
            r.wait_p50_s = percentile(w, 0.50);
            r.wait_p90_s = percentile(w, 0.90);
            r.wait_p99_s = percentile(w, 0.99);
            r.wait_max_s = w.back();
        }
        double capacity_time = static_cast<double>(s_.experts) * s_.capacity *
                               std::chrono::duration<double>(end_ - start_).count();
        report_.utilization = capacity_time > 0 ? std::chrono::duration<double>(busy_).count() / capacity_time : 0;
    }

    const scenario& s_;
    std::mt19937_64 rng_;
    queue::core core_;
    instant start_{std::chrono::sys_days{std::chrono::year{2026} / 1 / 5}};
    instant end_ = start_ + from_seconds(s_.hours * 3600.0);
    std::priority_queue<event, std::vector<event>, std::greater<>> events_;
    std::uint64_t order_ = 0;
    std::uint64_t opened_ = 0;
    std::unordered_map<std::string, std::pair<int, instant>> tiers_; // tier and opening time
    std::array<std::vector<double>, 2> waits_;
    std::vector<std::string> closed_;
    duration busy_{};
    report report_;
};

} // namespace

report simulate(const scenario& s) { return simulator(s).run(); }

} // namespace chat::sim
