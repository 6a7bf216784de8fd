#include "chat/server/cluster/outbox.hpp"

namespace chat::server::cluster {

void outbox::add(const std::string& node, std::uint64_t session, entry_kind kind, std::string_view conversation,
                 std::uint64_t seq, std::string_view text) {
    auto& w = pending_[node];
    char k = static_cast<char>(kind);
    w.add(std::string_view(&k, 1)).add(session).add(conversation).add(seq).add(text);
    if (scheduled_) return;
    scheduled_ = true;
    flush_soon_([this] { flush(); });
}

void outbox::flush() {
    scheduled_ = false;
    for (auto& [node, entries] : pending_) {
        bus_writer w;
        w.add("F").add(me_).add(shard_).add(static_cast<std::uint64_t>(epoch_)).add(++link_[node]);
        publish_(node, w.take() + entries.take());
    }
    pending_.clear();
}

} // namespace chat::server::cluster
