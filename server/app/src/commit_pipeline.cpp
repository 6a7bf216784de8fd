#include "chat/server/app/commit_pipeline.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace chat::server {

void pending_write::merge(pending_write&& o) {
    conversations.merge(o.conversations);
    experts.merge(o.experts);
    timers.merge(o.timers);
    for (auto& m : o.messages) messages.push_back(std::move(m));
    for (auto& n : o.notes) notes.push_back(std::move(n));
    for (auto& a : o.attachments) attachments.push_back(std::move(a));
    for (auto& a : o.attachment_states) attachment_states.push_back(std::move(a));
    for (auto& a : o.audit) audit.push_back(std::move(a));
    for (auto& t : o.tickets) tickets.push_back(std::move(t));
    for (auto& t : o.ticket_statuses) ticket_statuses.push_back(std::move(t));
    for (auto& e : o.webhooks) webhooks.push_back(std::move(e));
    for (auto& l : o.links) links.push_back(std::move(l));
    for (auto& r : o.restrictions) restrictions.push_back(std::move(r));
    for (auto& a : o.answers) answers.push_back(std::move(a));
    for (auto& a : o.answers_dropped) answers_dropped.push_back(std::move(a));
    average_handle = average_handle || o.average_handle;
}

bool pending_write::empty() const {
    return conversations.empty() && experts.empty() && timers.empty() && messages.empty() && notes.empty() &&
           attachments.empty() && attachment_states.empty() && audit.empty() && tickets.empty() && ticket_statuses.empty() && webhooks.empty() && links.empty() && restrictions.empty() &&
           answers.empty() && answers_dropped.empty() && !average_handle;
}

commit_pipeline::action commit_pipeline::submit(step s, bool store_up) {
    action a;
    if (s.writes.empty()) {
        // Nothing to store, but told only after what came before it (a refusal never overtakes
        // an earlier request's ok); while steps wait for a rewrite, their answers were already
        // replaced by `unavailable`, so it need not wait for them.
        if ((writing_ == writing::none && gathering_.empty()) || degraded()) a.deliver.push_back(std::move(s));
        else if (gathering_.empty()) in_flight_.push_back(std::move(s));
        else gathering_.push_back(std::move(s));
        return a;
    }
    if (degraded() || !store_up) {
        // Keep the order: nothing is told before everything before it is stored.
        unconfirm(s, a);
        dirty_.merge(pending_write(s.writes));
        undelivered_.push_back(std::move(s));
        start_rewrite(a, store_up);
        return a;
    }
    gathering_.push_back(std::move(s));
    if (writing_ == writing::none) start_commit(a);
    return a;
}

commit_pipeline::action commit_pipeline::on_committed(std::error_code ec, bool store_up) {
    action a;
    auto was = std::exchange(writing_, writing::none);
    if (was == writing::commit) commit_ended(ec, store_up, a);
    if (was == writing::rewrite) rewrite_ended(ec, store_up, a);
    return a;
}

void commit_pipeline::commit_ended(std::error_code ec, bool store_up, action& a) {
    auto steps = std::move(in_flight_);
    in_flight_.clear();
    if (ec) {
        // Its outcome is unknown: it and what gathered behind it wait for the rewrite.
        for (auto& st : gathering_) steps.push_back(std::move(st));
        gathering_.clear();
        hold_back(steps, a);
        return start_rewrite(a, store_up);
    }
    a.deliver = std::move(steps);
    if (degraded()) {
        // Redis went away meanwhile: what gathered came before what waits already.
        auto gathered = std::move(gathering_);
        gathering_.clear();
        hold_back(gathered, a);
        start_rewrite(a, store_up);
    } else if (!gathering_.empty()) {
        start_commit(a);
    }
}

void commit_pipeline::rewrite_ended(std::error_code ec, bool store_up, action& a) {
    if (ec) {
        dirty_.merge(pending_write(rewrite_));
        a.retry_later = true;
        return;
    }
    for (std::size_t i = 0; i < rewriting_; ++i) {
        a.deliver.push_back(std::move(undelivered_.front()));
        undelivered_.pop_front();
    }
    rewriting_ = 0;
    rewrite_ = {};
    start_rewrite(a, store_up); // the steps that came during the rewrite
}

commit_pipeline::action commit_pipeline::on_retry(bool store_up) {
    action a;
    start_rewrite(a, store_up);
    return a;
}

void commit_pipeline::start_commit(action& a) {
    pending_write all;
    for (const auto& st : gathering_) all.merge(pending_write(st.writes));
    in_flight_ = std::move(gathering_);
    gathering_.clear();
    writing_ = writing::commit;
    a.write = std::move(all);
}

void commit_pipeline::start_rewrite(action& a, bool store_up) {
    if (!store_up || writing_ != writing::none || undelivered_.empty()) return;
    writing_ = writing::rewrite;
    rewriting_ = undelivered_.size();
    rewrite_ = std::exchange(dirty_, {});
    a.write = rewrite_;
}

void commit_pipeline::hold_back(std::vector<step>& steps, action& a) {
    std::vector<step> held;
    for (auto& st : steps) {
        // One with nothing to store is told now, after the answers before it became `unavailable`.
        if (st.writes.empty()) {
            a.deliver.push_back(std::move(st));
            continue;
        }
        unconfirm(st, a);
        dirty_.merge(pending_write(st.writes));
        held.push_back(std::move(st));
    }
    undelivered_.insert(undelivered_.begin(), std::make_move_iterator(held.begin()), std::make_move_iterator(held.end()));
}

void commit_pipeline::unconfirm(step& s, action& a) {
    auto answered = std::stable_partition(s.out.begin(), s.out.end(), [](const outgoing& o) { return !o.answers; });
    for (auto it = answered; it != s.out.end(); ++it) {
        std::optional<std::string> id;
        if (!it->answers->empty()) id = *it->answers;
        a.unconfirmed.push_back({it->session, std::move(id)});
    }
    s.out.erase(answered, s.out.end());
}

} // namespace chat::server
