#include "chat/server/app/message_cursors.hpp"

namespace chat::server {

void message_cursors::advance_over_own(cursor& c) {
    while (!c.own.empty() && *c.own.begin() <= c.sent + 1) {
        c.sent = std::max(c.sent, *c.own.begin());
        c.own.erase(c.own.begin());
    }
}

message_cursors::live message_cursors::on_live(const std::string& conversation, std::uint64_t seq, const frame& f,
                                               std::size_t hold_limit) {
    auto& c = cursors_[conversation];
    if (c.replaying) {
        if (c.held.size() < hold_limit) c.held.emplace_back(seq, f);
        return {verdict::hold};
    }
    if (seq <= c.sent || c.own.count(seq)) return {verdict::drop};
    if (!c.established || seq == c.sent + 1) {
        c.established = true;
        c.sent = seq;
        advance_over_own(c);
        return {verdict::send};
    }
    c.replaying = true;
    c.held.emplace_back(seq, f);
    return {verdict::fill, c.sent};
}

void message_cursors::on_own(const std::string& conversation, std::uint64_t seq) {
    auto& c = cursors_[conversation];
    if (seq <= c.sent) return;
    if (!c.replaying && (!c.established || seq == c.sent + 1)) {
        c.established = true;
        c.sent = seq;
        advance_over_own(c);
        return;
    }
    c.own.insert(seq);
}

void message_cursors::hold(const std::string& conversation) { cursors_[conversation].replaying = true; }

void message_cursors::begin_replay(const std::string& conversation, std::uint64_t after) {
    auto& c = cursors_[conversation];
    c.replaying = true;
    c.established = true;
    c.sent = after;
    c.own.clear(); // the client says what it holds: everything after it is sent
}

bool message_cursors::begin_fill(const std::string& conversation) {
    auto& c = cursors_[conversation];
    if (c.replaying) return false;
    c.replaying = true;
    return true;
}

message_cursors::replayed message_cursors::on_page(const std::string& conversation, const std::vector<stored_message>& page,
                                                   std::size_t page_limit,
                                                   const std::function<frame(const stored_message&)>& frame_of) {
    replayed r;
    auto& c = cursors_[conversation];
    c.established = true;
    for (const auto& m : page) {
        if (m.seq <= c.sent) continue;
        c.sent = m.seq;
        if (!c.own.erase(m.seq)) r.frames.push_back(frame_of(m));
    }
    // A full page: more is stored than was sent; live messages wait for the next one (they
    // are in Redis already).
    c.replaying = page.size() >= page_limit || c.held.size() >= page_limit;
    if (!c.replaying) {
        // What came live meanwhile follows, as long as nothing is missing in between.
        for (auto& [seq, f] : c.held) {
            if (seq <= c.sent || c.own.count(seq)) continue;
            if (seq != c.sent + 1) break;
            c.sent = seq;
            r.frames.push_back(f);
            advance_over_own(c);
        }
    }
    c.held.clear();
    advance_over_own(c);
    r.last_sent = c.sent;
    r.more = c.replaying;
    return r;
}

void message_cursors::cancel(const std::string& conversation) {
    auto it = cursors_.find(conversation);
    if (it == cursors_.end()) return;
    it->second.replaying = false;
    it->second.held.clear();
}

std::vector<std::pair<std::string, std::uint64_t>> message_cursors::followed() const {
    std::vector<std::pair<std::string, std::uint64_t>> all;
    for (const auto& [id, c] : cursors_)
        if (c.established) all.emplace_back(id, c.sent);
    return all;
}

} // namespace chat::server
