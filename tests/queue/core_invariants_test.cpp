#include "core_harness.hpp"

#include <random>

using namespace chat::test;

namespace {

// Applies long random event sequences and checks the core's invariants after every step.
class random_run {
public:
    explicit random_run(std::uint64_t seed) : rng_(seed), h_(make_policy()) {
        for (int i = 0; i < 4; ++i) {
            std::set<std::string> skills;
            if (i % 2 == 0) skills.insert("billing");
            experts_.push_back("x" + std::to_string(i));
            store(h_.core.register_expert({experts_.back(), "acme", experts_.back(), 1 + i % 3, skills, i == 3},
                                    h_.now));
        }
        for (int i = 0; i < 6; ++i)
            customers_.push_back({"acme", "u" + std::to_string(i), i < 2 ? tier::enterprise : tier::standard,
                                  i == 5 ? "apac" : ""});
    }

    std::set<std::size_t> seen; // effect kinds the run produced

    void steps(int n) {
        for (int i = 0; i < n; ++i) {
            auto out = act();
            store(out);
            check(out);
            check_stored();
            if (i % 50 == 49) restart();
        }
    }

private:
    static chat::queue::policy make_policy() {
        policy p;
        p.conduct_words = {"idiot"};
        p.regions.emplace("apac", business_calendar("Asia/Tokyo"));
        p.tiers[0].next_response.fill(response_target::wall_clock(2min));
        p.tiers[0].update_every[0] = response_target::wall_clock(10min);
        p.tiers[1].next_response.fill(response_target::open_time(1h));
        return p;
    }

    int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
    const std::string& any_expert() { return experts_[pick(static_cast<int>(experts_.size()))]; }
    const customer& any_customer() { return customers_[pick(static_cast<int>(customers_.size()))]; }
    std::string any_conversation() {
        if (opened_.empty()) return "none";
        return opened_[pick(static_cast<int>(opened_.size()))];
    }
    // The expert of a conversation most of the time, so actions mostly make sense.
    std::string expert_for(const std::string& c) {
        auto* conv = h_.core.find(c);
        if (conv && conv->expert && pick(5) > 0) return *conv->expert;
        return any_expert();
    }
    customer customer_of(const std::string& c) {
        auto* conv = h_.core.find(c);
        return conv && pick(8) > 0 ? conv->customer : any_customer();
    }

    outcome act() {
        static const char* topics[] = {"invoice export fails", "cannot log in with sso", "webhooks arrive twice",
                                       "dark mode colours wrong", "you idiot", "invoice PDF export fails"};
        auto& core = h_.core;
        auto now = h_.now;
        auto c = any_conversation();
        switch (pick(26)) {
        case 0:
        case 1:
        case 2: {
            auto id = "c" + std::to_string(++next_);
            std::set<std::string> skills;
            if (pick(4) == 0) skills.insert("billing");
            auto out = core.open({id, any_customer(), "", topics[pick(6)], 1 + pick(4), skills, std::nullopt, "", "", ""}, now);
            if (core.find(id)) opened_.push_back(id);
            return out;
        }
        case 3: return core.set_presence(any_expert(), static_cast<presence>(pick(3)), now);
        case 4: return core.accept_offer(expert_for(c), c, now);
        case 5: return core.decline_offer(expert_for(c), c, now);
        case 6: return writing(party::expert, core.expert_message(expert_for(c), c, "", now));
        case 7: return writing(party::customer, core.customer_message(c, customer_of(c), topics[pick(6)], "", now));
        case 8: return core.hand_off(expert_for(c), c, {.note = "note"}, now);
        case 9: return core.expert_hold(expert_for(c), c, now);
        case 10: return core.customer_hold(c, customer_of(c), now);
        case 11: return core.expert_resume(expert_for(c), c, now);
        case 12: return core.customer_resume(c, customer_of(c), now);
        case 13: {
            auto at = now + std::chrono::minutes(1 + pick(180));
            store(core.propose_stay(expert_for(c), c, at, now));
            return core.accept_stay(c, customer_of(c), at, now);
        }
        case 14: return core.mark_duplicate(expert_for(c), c, any_conversation(), now);
        case 15: return core.escalate(expert_for(c), c, "summary", now);
        case 16: return pick(4) == 0 ? core.report_conduct(expert_for(c), c, now) : core.expert_close(expert_for(c), c, now);
        case 17: return core.customer_close(c, customer_of(c), now);
        case 18: return core.set_capacity(any_expert(), pick(4), now);
        case 19: return pick(2) ? core.expert_disconnected(any_expert(), now) : core.expert_connected(any_expert(), now);
        case 20: return core.submit_survey(c, customer_of(c), 1 + pick(5), "ok", now);
        case 21:
        case 22: {
            // A turn of a chat in progress: what moves the reply clocks.
            for (const auto& id : opened_)
                if (const auto* conv = core.find(id); conv && conv->state == conversation_state::active && pick(3) == 0)
                    return pick(2) ? writing(party::customer, core.customer_message(id, conv->customer, "and now?", "", now))
                                   : writing(party::expert, core.expert_message(*conv->expert, id, "", now));
            return core.advance(now);
        }
        default: {
            static const duration steps[] = {1s, 10s, 31s, 2min, 16min, 31min, 5h, 25h, 3 * 24h};
            return h_.wait(steps[pick(9)]);
        }
        }
    }

    // A chat message: who wrote it, for the stream (see store()).
    outcome writing(party from, outcome out) {
        writer_ = from;
        return out;
    }

    // What a server keeps: the records each outcome names as changed, the timers (those a
    // message moves only with their record), restrictions, and each stream's last message.
    void store(const outcome& out) {
        for (const auto& id : out.changed_conversations) {
            stored_.conversations[id] = *h_.core.find(id);
            stored_.after_record.erase(id);
            for (auto k : {timer_kind::inactivity, timer_kind::next_response_due, timer_kind::update_due}) {
                if (auto due = h_.core.timer_due(k, id))
                    stored_.timers[{k, id}] = {k, id, *due};
                else
                    stored_.timers.erase({k, id});
            }
        }
        for (const auto& id : out.changed_experts) stored_.experts[id] = h_.of(id);
        for (const auto& fx : out.effects) {
            auto kept_alone = [](const timer& t) { return !moved_by_messages(t.kind); };
            if (auto* t = std::get_if<effect::timer_set>(&fx); t && kept_alone(t->timer))
                stored_.timers[{t->timer.kind, t->timer.subject}] = t->timer;
            if (auto* t = std::get_if<effect::timer_cleared>(&fx); t && kept_alone(t->timer))
                stored_.timers.erase({t->timer.kind, t->timer.subject});
            if (auto* r = std::get_if<effect::restricted>(&fx)) stored_.restrictions[r->tenant + '/' + r->user] = *r;
            if (auto* m = std::get_if<effect::message_added>(&fx)) {
                // Appended to the stream: numbered once, with no gap.
                INFO("message " << m->seq << " of " << m->conversation);
                REQUIRE(m->seq == ++stored_.last_seq[m->conversation]);
                bool in_record = std::find(out.changed_conversations.begin(), out.changed_conversations.end(),
                                           m->conversation) != out.changed_conversations.end();
                if (!in_record && writer_) stored_.after_record[m->conversation] = {m->conversation, *writer_, m->at};
            }
        }
        writer_.reset();
    }

    // The stored copy is the core's state: no change escaped the outcome that made it.
    void check_stored() {
        REQUIRE(stored_.conversations.size() == h_.core.conversations().size());
        for (const auto& [id, c] : h_.core.conversations()) {
            INFO("conversation " << id << " changed without being named");
            // Its numbering is the stream's, appended to without storing the record again.
            auto stored = stored_.conversations.at(id);
            REQUIRE(c.messages.last_seq() == stored_.last_seq[id]);
            stored.messages = c.messages;
            stored.replies = c.replies; // a message moves them; a restart derives them from it
            REQUIRE(stored == c);
        }
        for (const auto& [id, x] : h_.core.experts()) {
            INFO("expert " << id << " changed without being named");
            REQUIRE(stored_.experts.at(id) == x);
        }
        for (const auto& t : h_.core.pending_timers())
            if (!moved_by_messages(t.kind)) REQUIRE(stored_.timers.at({t.kind, t.subject}) == t);
        for (const auto& [key, t] : stored_.timers)
            if (!moved_by_messages(t.kind)) REQUIRE(h_.core.timer_due(t.kind, t.subject) == t.due);
    }

    // A restart: a new core restored from the stored copy carries on in the old one's place.
    void restart() {
        core_state state;
        for (const auto& [id, c] : stored_.conversations) {
            // As the store reads it back: numbered up to its stream's last message, the rest unknown.
            state.conversations.push_back(c);
            state.conversations.back().messages = message_numbering::restored(stored_.last_seq[id], {}, false);
        }
        for (const auto& [id, x] : stored_.experts) state.experts.push_back(x);
        for (const auto& [key, t] : stored_.timers) state.timers.push_back(t);
        for (const auto& [key, r] : stored_.restrictions) state.restrictions.push_back({r.tenant, r.user, r.until});
        for (const auto& [id, m] : stored_.after_record) state.later_messages.push_back(m);
        stored_.after_record.clear();
        state.average_handle = h_.core.average_handle_time();
        auto order = h_.core.queue_order(h_.now);

        chat::queue::core restored(make_policy());
        restored.restore(std::move(state));
        REQUIRE(restored.queue_order(h_.now) == order);
        REQUIRE(restored.audit(h_.now).empty());
        for (const auto& [id, c] : h_.core.conversations()) {
            auto back = *restored.find(id);
            REQUIRE(back.messages.last_seq() == c.messages.last_seq());
            back.messages = c.messages;
            // Only a stream's last message is read back: a customer's earlier unanswered ones
            // since the record was stored are counted from it, so the wait may start later.
            if (back.replies.awaiting_since && c.replies.awaiting_since) {
                REQUIRE(back.replies.awaiting_since >= c.replies.awaiting_since);
                back.replies.awaiting_since = c.replies.awaiting_since;
                if (back.replies.awaiting_breached != c.replies.awaiting_breached) continue; // the later start has not fallen due yet
            }
            REQUIRE(back == c);
            for (auto k : {timer_kind::inactivity, timer_kind::update_due})
                REQUIRE(restored.timer_due(k, id) == h_.core.timer_due(k, id));
        }
        for (const auto& [tenant, user, until] : h_.core.restrictions())
            REQUIRE(restored.restricted_until(tenant, user) == until);
        h_.core = std::move(restored);
    }

    void check(const outcome& out) {
        for (const auto& fx : out.effects) seen.insert(fx.index());
        auto broken = h_.core.audit(h_.now);
        INFO((broken.empty() ? std::string{} : broken.front()));
        REQUIRE(broken.empty());
        if (out.error && out.error != make_error_code(errc::expired)) REQUIRE(out.effects.empty());

        for (const auto& id : opened_) REQUIRE(h_.core.find(id)); // nothing is lost

        for (const auto& fx : out.effects) {
            std::optional<std::pair<std::string, std::string>> given; // conversation, expert
            if (auto* o = std::get_if<effect::offered>(&fx)) given = {o->conversation, o->expert};
            if (auto* a = std::get_if<effect::assigned>(&fx)) given = {a->conversation, a->expert};
            if (!given) continue;
            const auto& x = h_.of(given->second);
            REQUIRE(x.load <= x.capacity);
            const auto* conv = h_.core.find(given->first);
            if (conv->customer.tier != tier::standard || conv->reserved) continue;
            // Strict priority: no Enterprise conversation this expert could take is left waiting.
            for (const auto& qid : h_.core.queue_order(h_.now)) {
                const auto* q = h_.core.find(qid);
                if (q->customer.tier != tier::enterprise || q->reserved) continue;
                bool could = q->customer.tenant == x.tenant && !q->excluded.count(x.id) &&
                             std::includes(x.skills.begin(), x.skills.end(), q->required_skills.begin(),
                                           q->required_skills.end());
                INFO("standard " << given->first << " went to " << x.id << " while " << qid << " waited");
                REQUIRE_FALSE(could);
            }
        }
    }

    std::mt19937_64 rng_;
    harness h_;
    std::vector<std::string> experts_;
    std::vector<customer> customers_;
    std::vector<std::string> opened_;
    int next_ = 0;
    struct {
        std::map<std::string, conversation> conversations;
        std::map<std::string, expert> experts;
        std::map<std::pair<timer_kind, std::string>, timer> timers;
        std::map<std::string, effect::restricted> restrictions;
        std::map<std::string, std::uint64_t> last_seq; // of each conversation's stream
        std::map<std::string, message_after_record> after_record; // a stream's last message, stored after its record
    } stored_;
    std::optional<party> writer_;
};

} // namespace

template <class E> std::size_t kind() { return any_effect(E{}).index(); }

TEST_CASE("random event sequences keep every invariant after every step", "[queue][invariants]") {
    std::set<std::size_t> seen;
    for (std::uint64_t seed = 1; seed <= 60; ++seed) {
        INFO("seed " << seed);
        random_run run(seed);
        run.steps(400);
        seen.insert(run.seen.begin(), run.seen.end());
    }
    // The runs reach every part of the lifecycle, so the invariants were checked there.
    for (auto k : {kind<effect::offered>(), kind<effect::assigned>(), kind<effect::offer_withdrawn>(),
                   kind<effect::handed_off>(), kind<effect::held>(), kind<effect::resumed>(),
                   kind<effect::scheduled>(), kind<effect::saved>(), kind<effect::reopened>(),
                   kind<effect::duplicate>(), kind<effect::ticket>(), kind<effect::warned>(),
                   kind<effect::restricted>(), kind<effect::survey_recorded>(), kind<effect::sla_breached>(),
                   kind<effect::deferred>(), kind<effect::sla_predicted>(), kind<effect::reply_answered>()}) {
        INFO("effect kind " << k);
        CHECK(seen.count(k));
    }
}
