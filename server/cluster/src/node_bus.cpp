// What nodes tell each other over Redis Pub/Sub. The streams stay the truth; the bus only rings
// the bell, and a ring that is lost is noticed (a gap in a link's numbers, our own heartbeat
// not coming back) and repaired from the streams.
//
//   chat:cluster          H node incarnation state steady_ns    I am alive (state "up" or "leaving")
//                         A node shard epoch holder             I took the shard
//                         D node shard epoch                    I gave the shard back
//   chat:node:<id>        F owner shard epoch link entries...   what the owner tells sessions here
//                         J from session shard welcome monitor identity   join a session at its owner
//                         L from session shard                  it left
//                         R from session shard id frame         a request of a session
//                         N session id                          not the shard's owner (any more)
//                         U session id                          the owner does not know the session
//                         K from                                the owner forgot this node's sessions

#include "chat/server/cluster/node.hpp"

#include "local_session.hpp"

#include "chat/protocol/codec.hpp"
#include "chat/server/log.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace chat::server::cluster {

void node::publish(const std::string& channel, std::string payload) {
    redis_->exec({{"PUBLISH", channel, std::move(payload)}}, [](std::error_code, redis::client::replies) {});
}

void node::to_node(const std::string& to, std::string payload) { publish("chat:node:" + to, std::move(payload)); }

void node::heartbeat() {
    auto stamp = std::chrono::duration_cast<std::chrono::nanoseconds>(lease_state::clock::now().time_since_epoch()).count();
    bus_writer w;
    w.add("H").add(opts_.id).add(incarnation_).add(leaving_ ? "leaving" : "up").add(static_cast<std::uint64_t>(stamp));
    publish("chat:cluster", w.take());
}

void node::announce(char what, shard_id s, std::int64_t epoch) {
    bus_writer w;
    w.add(std::string_view(&what, 1)).add(opts_.id).add(s).add(static_cast<std::uint64_t>(epoch)).add(ctx_.holder);
    publish("chat:cluster", w.take());
}

void node::on_bus(std::string_view channel, std::string_view payload) {
    if (stopping_) return;
    if (channel == "chat:cluster") on_cluster_message(payload);
    else on_inbox(payload);
}

void node::on_cluster_message(std::string_view payload) {
    bus_reader r(payload);
    auto kind = r.next();
    auto from = r.next();
    if (!kind || !from) return;
    auto now = lease_state::clock::now();
    if (*kind == "H") {
        auto incarnation = r.next();
        auto state = r.next();
        auto stamp = r.number();
        if (!stamp) return;
        if (*from == opts_.id && *incarnation == incarnation_) {
            last_heard_self_ = now;
            auto sent = lease_state::clock::time_point(std::chrono::nanoseconds(*stamp));
            counts_.bus_lag_us = std::chrono::duration_cast<std::chrono::microseconds>(now - sent).count();
        }
        std::string node_id(*from), inc(*incarnation);
        if (*state == "leaving") {
            members_.leaving(node_id);
            return place();
        }
        auto before = members_.incarnation_of(node_id);
        // A node back under a new incarnation lost its sessions: those it had here leave.
        if (members_.heard(node_id, inc, now) && !before.empty() && before != inc) node_gone(node_id);
        return;
    }
    auto shard = r.number();
    auto epoch = r.number();
    if (!shard || !epoch || *shard >= map_.count() || *from == opts_.id) return;
    auto s = static_cast<shard_id>(*shard);
    if (*kind == "A") {
        auto holder = r.next();
        if (!holder || static_cast<std::int64_t>(*epoch) < owners_[s].epoch) return;
        if (mine_[s] && !taking_[s]) return; // ours until our lease says otherwise
        set_owner(s, {std::string(*from), static_cast<std::int64_t>(*epoch), std::string(*holder)});
    } else if (*kind == "D" && owners_[s].node == *from && owners_[s].epoch == static_cast<std::int64_t>(*epoch)) {
        set_owner(s, {});
        place(); // the first-ranked live node takes it now
    }
}

void node::on_inbox(std::string_view payload) {
    bus_reader r(payload);
    auto kind = r.next();
    if (!kind || kind->size() != 1) return;
    switch ((*kind)[0]) {
    case 'F': return on_frames(r);
    case 'J': return on_join(r);
    case 'R': return on_request(r);
    case 'Q': return on_query(r);
    case 'A': return on_answer(r);
    case 'L': {
        auto from = r.next();
        auto session = r.number();
        auto shard = r.number();
        if (shard && *shard < map_.count() && mine_[*shard]) mine_[*shard]->remote_leave(std::string(*from), *session);
        return;
    }
    case 'N':
    case 'U': {
        // Our request (or join) did not reach a hub that knows the session, and was not
        // processed: the session joins again (at whoever owns the shard by then; a moment
        // later when the owner was not the owner) and the request is sent again.
        auto sid = r.number();
        auto id = r.next();
        if (!id) return;
        resend_later(*sid, std::string(*id), std::chrono::milliseconds((*kind)[0] == 'N' ? 200 : 0));
        return;
    }
    case 'K': {
        auto from = r.next();
        if (!from) return;
        for (auto& [sid, s] : sessions_)
            if (s->at == *from) {
                s->epoch = 0;
                attach(*s);
            }
        return;
    }
    default: ++counts_.bus_dropped;
    }
}

void node::on_frames(bus_reader& r) {
    auto from = r.next();
    auto shard = r.number();
    auto epoch = r.number();
    auto link = r.number();
    if (!link) return;
    // A gap in this owner's numbers for the shard: a notification was lost. Its sessions here
    // join again and read what they missed.
    auto& last = links_[{std::string(*from), static_cast<shard_id>(*shard)}];
    bool gap = last != 0 && *link != last + 1 && *link > last;
    last = *link;
    if (gap) {
        ++counts_.bus_gaps;
        for (auto& [sid, s] : sessions_)
            if (s->shard == *shard && s->at == *from) {
                s->epoch = 0;
                attach(*s);
            }
    }
    (void)epoch;
    while (!r.done()) {
        auto kind = r.next();
        auto session = r.number();
        auto conversation = r.next();
        auto seq = r.number();
        auto text = r.next();
        if (!text || kind->size() != 1) {
            ++counts_.bus_dropped;
            return;
        }
        auto it = sessions_.find(*session);
        if (it != sessions_.end()) deliver_entry(*it->second, (*kind)[0], *conversation, *seq, *text);
    }
}

void node::on_join(bus_reader& r) {
    auto from = r.next();
    auto session = r.number();
    auto shard = r.number();
    auto welcome = r.number();
    auto monitor = r.number();
    auto who = read_identity(r);
    if (!who || !shard || *shard >= map_.count()) return;
    auto s = static_cast<shard_id>(*shard);
    if (!owns(s)) {
        bus_writer w;
        w.add("N").add(*session).add("");
        return to_node(std::string(*from), w.take());
    }
    mine_[s]->remote_join(std::string(*from), *session, std::move(*who), *welcome != 0, *monitor != 0);
}

void node::on_request(bus_reader& r) {
    auto from = r.next();
    auto session = r.number();
    auto shard = r.number();
    auto id = r.next();
    auto frame = r.next();
    if (!frame || !shard || *shard >= map_.count()) return;
    auto s = static_cast<shard_id>(*shard);
    auto reply = [self = shared_from_this(), to = std::string(*from), session = *session, rid = std::string(*id)](const char* kind) {
        bus_writer w;
        w.add(kind).add(session).add(rid);
        self->to_node(to, w.take());
    };
    if (!owns(s)) return reply("N");
    auto parsed = protocol::parse_request(*frame, {1 << 20, 64}); // checked by the session's node already
    if (!parsed.request) return;
    std::optional<std::string> rid;
    if (!id->empty()) rid = std::string(*id);
    ++counts_.taken_in;
    mine_[s]->remote_request(std::string(*from), *session, std::move(rid), std::move(*parsed.request),
                             [reply] { reply("U"); });
}

void node::on_bus_state(bool up) {
    bool was = bus_up_.exchange(up);
    if (!up || was) return;
    // (Re)subscribed: anything told meanwhile may be lost; every session joins again and reads on.
    last_heard_self_ = lease_state::clock::now();
    ++counts_.resyncs;
    for (auto& [sid, s] : sessions_)
        if (!s->at.empty() && s->at != opts_.id) {
            s->epoch = 0;
            attach(*s);
        }
}

void node::node_gone(const std::string& gone) {
    if (gone == opts_.id) return;
    log("node ", gone, " is gone: its sessions leave the shards this node owns");
    for (auto& s : mine_)
        if (s) s->forget_node(gone);
    bus_writer w;
    w.add("K").add(opts_.id);
    to_node(gone, w.take()); // if it is not gone after all, it joins its sessions again
    place();
}

} // namespace chat::server::cluster
