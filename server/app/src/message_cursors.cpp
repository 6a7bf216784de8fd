#include "chat/server/app/message_cursors.hpp"

namespace chat::server {

bool message_cursors::on_live(const participant* p, const std::string& conversation, std::uint64_t seq, const frame& f,
                              std::size_t hold_limit) {
    auto& c = cursors_[{p, conversation}];
    if (c.replaying) {
        if (c.held.size() < hold_limit) c.held.emplace_back(seq, f);
        return false;
    }
    if (seq <= c.sent) return false;
    c.sent = seq;
    return true;
}

void message_cursors::hold(const participant* p, const std::string& conversation) {
    cursors_[{p, conversation}].replaying = true;
}

void message_cursors::begin_replay(const participant* p, const std::string& conversation, std::uint64_t after) {
    auto& c = cursors_[{p, conversation}];
    c.replaying = true;
    c.sent = after;
}

message_cursors::replayed message_cursors::on_page(const participant* p, const std::string& conversation,
                                                   const std::vector<stored_message>& page, std::size_t page_limit,
                                                   const std::function<frame(const stored_message&)>& frame_of) {
    replayed r;
    auto it = cursors_.find({p, conversation});
    if (it == cursors_.end()) {
        r.gone = true;
        return r;
    }
    auto& c = it->second;
    for (const auto& m : page) {
        if (m.seq <= c.sent) continue;
        c.sent = m.seq;
        r.frames.push_back(frame_of(m));
    }
    // A full page: more is stored than was sent, and the client asks for the next page; live
    // messages wait for it (they are in Redis already).
    c.replaying = page.size() >= page_limit || c.held.size() >= page_limit;
    if (!c.replaying) {
        // What came live during the replay follows it, as long as nothing is missing in between.
        for (auto& [seq, f] : c.held) {
            if (seq <= c.sent) continue;
            if (seq != c.sent + 1) break;
            c.sent = seq;
            r.frames.push_back(f);
        }
    }
    c.held.clear();
    r.last_sent = c.sent;
    return r;
}

void message_cursors::cancel(const participant* p, const std::string& conversation) {
    auto it = cursors_.find({p, conversation});
    if (it == cursors_.end()) return;
    it->second.replaying = false;
    it->second.held.clear();
}

void message_cursors::forget(const participant* p) {
    auto first = cursors_.lower_bound({p, std::string()});
    auto last = first;
    while (last != cursors_.end() && last->first.first == p) ++last;
    cursors_.erase(first, last);
}

} // namespace chat::server
