#pragma once
// From the core's decisions to what the server stores and tells: pure functions of an outcome
// and the core's state after it. A customer's frames never carry what staff keep for each
// other (hand-off notes, required skills).

#include "chat/protocol/codec.hpp"
#include "chat/protocol/events.hpp"
#include "chat/queue/core.hpp"
#include "chat/server/app/step.hpp"
#include "chat/server/auth/token.hpp"

#include <vector>

namespace chat::server::notifications {

// Who a snapshot is for: staff see what experts keep for each other.
enum class viewer : std::uint8_t { customer, staff };
inline viewer viewer_of(const identity& who) {
    return who.role == protocol::role::customer ? viewer::customer : viewer::staff;
}

// The customer's key ("tenant/user"), by which the audience knows their sessions.
std::string customer_key(const queue::customer& who);
// An expert's display name (empty when unknown).
std::string display_name(const queue::core& core, const std::optional<queue::expert_id>& expert);

// A stored chat message as its `message` event.
protocol::event::message message_event(const std::string& conversation, const stored_message& m);

protocol::event::conversation snapshot(const queue::core& core, const queue::conversation& c, viewer v);
// The frames one effect means, to whom (none for effects nobody is told of).
void tell(const queue::core& core, const queue::any_effect& effect, std::vector<outgoing>& out);
// The conversation's snapshot to its customer and to the experts who hold or held it.
void snapshot_to_parties(const queue::core& core, const queue::conversation& c, std::vector<outgoing>& out);
// What an outcome asks to store, named by id (built from the state when written).
void writes_for(const queue::outcome& out, pending_write& w);

// Named shapes of the frames above.
outgoing to_customer(const queue::customer& who, frame f);
outgoing to_expert(const queue::expert_id& expert, frame f);
outgoing to_monitors(const std::string& tenant, frame f);
// To the team leads watching the conversation live.
outgoing to_watchers(const std::string& conversation, frame f);
outgoing to_session(std::weak_ptr<participant> p, frame f);
// A chat message, counted by the cursors of whoever receives it; `sender`'s own sessions get it in their ok.
outgoing chat_message(outgoing::to kind, std::string key, frame f, const std::string& conversation,
                      std::uint64_t seq, std::weak_ptr<participant> sender = {});

template <class E> frame frame_of(const E& e) { return std::make_shared<const std::string>(protocol::to_text(e)); }

} // namespace chat::server::notifications
