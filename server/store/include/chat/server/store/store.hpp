#pragma once
// Redis as the system of record: what one event changed is written as one MULTI/EXEC, and
// everything the core needs is read back at start. Speaks domain types, never replies.

#include "chat/queue/core.hpp"
#include "chat/server/redis/client.hpp"

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

namespace chat::server {

// A chat message as stored in its conversation's stream (the stream id is 0-seq).
struct stored_message {
    std::uint64_t seq = 0;
    queue::party from = queue::party::customer;
    std::string author; // the customer's user id or the expert id
    std::string name;   // display name
    std::string text;
    std::string client_id;
    queue::instant at{};
};

// Key names. A conversation's keys share the hash tag {c:ID}: one Redis Cluster slot.
namespace keys {
std::string conversation(const std::string& id);
std::string messages(const std::string& id);
std::string expert(const std::string& id);
std::string customer(const std::string& tenant, const std::string& user);
inline const std::string live = "chat:live";       // conversations the core holds
inline const std::string experts = "chat:experts"; // every expert id
inline const std::string timers = "chat:timers";   // zset: kind|subject -> due (ms)
inline const std::string restrictions = "chat:restrictions";
inline const std::string meta = "chat:meta";
inline const std::string tickets = "chat:tickets"; // stream of escalations
} // namespace keys

// The writes of one event, applied atomically.
class write_batch {
public:
    void put(const queue::conversation& c);
    void put(const queue::expert& x);
    void drop_live(const std::string& conversation);
    void timer_set(const queue::timer& t);
    void timer_cleared(const queue::timer& t);
    void restrict(const std::string& tenant, const std::string& user, queue::instant until);
    void average_handle(queue::duration d);
    void append(const std::string& conversation, const stored_message& m);
    void ticket(const std::string& id, const queue::effect::ticket& t, queue::instant at);
    void link_customer(const queue::customer& who, const std::string& conversation);

    bool empty() const { return commands_.empty(); }
    std::size_t size() const { return commands_.size(); }
    std::vector<redis::command> take() { return std::move(commands_); }

    // A message append of the batch: which command, and what the entry must hold if Redis
    // already has one with that id (a retried write), rather than another's message.
    struct append_check {
        std::size_t command = 0;
        std::string key, id, client_id, author, text;
    };
    std::vector<append_check> take_appends() { return std::move(appends_); }

private:
    std::vector<redis::command> commands_;
    std::vector<append_check> appends_;
};

// Everything read back at start. A conversation's last seq is its stream's, which may be
// ahead of its document: messages are appended without rewriting the document.
struct loaded_state {
    queue::core_state core;
    std::size_t skipped = 0; // documents that could not be read (logged, not fatal)
};

// Callable from any strand: requests go to the client's strand, answers come back on the
// store's home (where its user runs; none: the client's own strand).
class store {
public:
    explicit store(std::shared_ptr<redis::client> redis, boost::asio::any_io_executor home = {})
        : redis_(std::move(redis)), home_(std::move(home)) {}
    // The same store, answering on another strand.
    std::shared_ptr<store> answering_on(boost::asio::any_io_executor home) const;

    redis::client& redis() { return *redis_; }
    bool available() const { return redis_->connected(); }
    // Writes are allowed only while `may_write` holds (the owner lease); read from any thread.
    void fence(std::function<bool()> may_write) { may_write_ = std::move(may_write); }
    bool writable() const { return available() && (!may_write_ || may_write_()); }

    // Writes the batch as MULTI ... EXEC. An append refused because its id is taken counts
    // as success only when the stored entry is the same message (a retry after a lost
    // reply); another message there is a conflict, never acknowledged.
    void commit(write_batch batch, std::function<void(std::error_code)> done);
    void load(std::function<void(std::error_code, loaded_state)> done);
    void messages(const std::string& conversation, std::uint64_t after, std::size_t limit,
                  std::function<void(std::error_code, std::vector<stored_message>)> done);
    // The last `limit` messages of each conversation, newest first, in one round trip.
    void tails(const std::vector<std::string>& conversations, std::size_t limit,
               std::function<void(std::error_code, std::vector<std::vector<stored_message>>)> done);
    void conversation(const std::string& id,
                      std::function<void(std::error_code, std::optional<queue::conversation>)> done);
    // Several conversations in one round trip (MGET); missing or unreadable ones are left out.
    void conversations(const std::vector<std::string>& ids,
                       std::function<void(std::error_code, std::vector<queue::conversation>)> done);
    void customer_conversations(const std::string& tenant, const std::string& user,
                                std::function<void(std::error_code, std::vector<std::string>)> done);

private:
    void exec(std::vector<redis::command> commands, redis::client::handler done);
    // Sends reads; an error reply to any of them is the request's error.
    void read(std::vector<redis::command> commands, std::function<void(std::error_code, redis::client::replies)> done);
    void read_tails(std::shared_ptr<loaded_state> state, std::function<void(std::error_code, loaded_state)> done);

    void verify_appends(std::vector<write_batch::append_check> refused, std::function<void(std::error_code)> done);

    std::shared_ptr<redis::client> redis_;
    boost::asio::any_io_executor home_;
    std::function<bool()> may_write_;
};

// Parsing of stored documents, exposed for tests and chatctl.
std::optional<queue::conversation> parse_conversation_doc(std::string_view text);
std::optional<stored_message> parse_message_entry(const redis::value& entry);

} // namespace chat::server
