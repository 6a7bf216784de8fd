#pragma once
// Redis as the system of record, one shard at a time: what one event changed is written as one
// fenced commit, and everything the shard's core needs is read back when it is taken. Speaks
// domain types, never replies.

#include "chat/queue/core.hpp"
#include "chat/server/redis/client.hpp"
#include "chat/server/store/shards.hpp"
#include "chat/server/store/webhook_records.hpp"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>

namespace chat::server {

// A chat message as stored in its conversation's stream (the stream id is 0-seq).
// A file sent as a message: what its stream entry names (the bytes are in the file store).
struct stored_attachment {
    std::string id;
    std::string name;
    std::uint64_t size = 0;
    std::string content_type;
    std::string state; // at the time it was sent: clean | scanning
};

// An attachment's record (the metadata hash `a:ID`): what a download is checked against.
struct attachment_record {
    stored_attachment file;
    std::string tenant, conversation;
    std::string uploader; // tenant/user of whoever sent it
    std::string sha256;   // the file store's name of the bytes
    queue::instant at{};
};

// One action by a tenant's staff (or by chatd itself, role "system"), as its audit stream keeps it.
struct audit_entry {
    std::string tenant;
    std::string actor;        // tenant/user, or "chatd"
    std::string role;         // expert | monitor | system
    std::string action;       // accept, decline, hand_off, hold, resume, close, escalate, ...
    std::string conversation; // what it was done to ("" for an expert's own state)
    std::string detail;       // why, or what it was set to
    queue::instant at{};
    std::string event{}; // unique per action: a commit written again after a lost reply repeats it, readers drop the copy
    std::string id{};    // the stream entry's id, when read back
};

struct stored_message {
    std::uint64_t seq = 0;
    queue::party from = queue::party::customer;
    std::string author; // the customer's user id or the expert id
    std::string name;   // display name
    std::string text;
    std::string client_id;
    queue::instant at{};
    std::optional<stored_attachment> attachment{};
    std::string call_url{}; // a video call the expert offered: its meeting link ("" = none)
    std::string ticket{};   // a public comment from the ticket system on this ticket ("" = a chat message)
};

// What the ticket system last reported of a ticket (POST /api/v1/tickets/ID/status).
struct ticket_status {
    std::string status;   // in the system's own words: "Pending", "In Progress", ...
    queue::instant at{};  // when chatd was told
    std::string by;       // the webhook endpoint it came through
};

// A canned response: shared by a tenant's staff (`owner` empty) or an expert's own (`owner` the
// user id). Its text may hold variables the console fills in; an optional action follows it.
struct saved_answer {
    std::string id;
    std::string owner;
    std::string title;
    std::string text;
    std::string shortcut;    // typed after "/" to insert it (optional)
    std::string action;      // "" | hold | escalate | propose_time | set_severity
    int action_minutes = 0;  // propose_time: that many minutes from when it is used
    std::string updated_by;  // tenant/user
    queue::instant updated_at{};
    int action_severity = 0; // set_severity: to this (1-4)
};
// A saved answer as the hash field's value, and back (nullopt when unreadable).
std::string saved_answer_doc(const saved_answer& a);
std::optional<saved_answer> parse_saved_answer_doc(std::string_view text);

// A note of a conversation's internal thread, as stored in its own stream (staff only).
struct stored_note {
    std::uint64_t seq = 0;
    std::string author; // the writer's expert id (tenant/user)
    std::string role;   // expert | monitor
    std::string name;
    std::string text;
    std::string client_id;
    std::vector<std::string> mentions; // expert ids
    queue::instant at{};
};

// The writes of one event of one shard, applied atomically (by chatd_commit, fenced).
class write_batch {
public:
    explicit write_batch(const shard_keys& keys) : keys_(&keys) {}
    void put(const queue::conversation& c);
    void put(const queue::expert& x);
    void drop_live(const std::string& conversation);
    void timer_set(const queue::timer& t);
    void timer_cleared(const queue::timer& t);
    void restrict(const std::string& tenant, const std::string& user, queue::instant until);
    void average_handle(queue::duration d);
    void append(const std::string& conversation, const stored_message& m);
    void append_note(const std::string& conversation, const stored_note& n);
    // An attachment's record, and the bytes it adds to its tenant's use of the file store.
    void put_attachment(const attachment_record& a);
    void attachment_state(const std::string& id, const std::string& state);
    void audit(const audit_entry& e);
    void ticket(const std::string& id, const queue::effect::ticket& t, queue::instant at);
    void ticket_status(const std::string& ticket, const server::ticket_status& t);
    void link_customer(const queue::customer& who, const std::string& conversation);
    void put_answer(const std::string& tenant, const saved_answer& a);
    void drop_answer(const std::string& tenant, const std::string& owner, const std::string& id);
    // The webhook outbox (store_webhooks.cpp): an event in the same commit as its decision; an
    // endpoint's place in the outbox; an event it retries, is done with, or gives up; the outbox
    // trimmed below the entry every endpoint has passed.
    void webhook(const webhook_event& e);
    void webhook_taken(const std::string& endpoint, const std::string& entry);
    void webhook_retry(const server::webhook_retry& r);
    void webhook_done(const std::string& endpoint, const std::string& event);
    void webhook_dead(const server::webhook_retry& r, queue::instant at);
    void webhooks_trimmed(const std::string& below);

    bool empty() const { return commands_.empty(); }
    std::size_t size() const { return commands_.size(); }
    // Each command's second word is its key.
    std::vector<redis::command> take() { return std::move(commands_); }

private:
    const shard_keys* keys_;
    std::vector<redis::command> commands_;
};

// A batch as one FCALL chatd_commit: the shard's epoch key, every key named once, the epoch,
// then each command as name, key index, argument count, arguments.
redis::command fenced_commit(const shard_keys& keys, std::int64_t epoch, std::vector<redis::command> commands);

// Everything read back at start. A conversation's last seq is its stream's, which may be
// ahead of its document: messages are appended without rewriting the document.
struct loaded_state {
    queue::core_state core;
    std::size_t skipped = 0; // documents that could not be read (logged, not fatal)
};

// One shard's records. Callable from any strand: requests go to the client's strand, answers
// come back on the store's home (where its user runs; none: the client's own strand).
class store {
public:
    store(std::shared_ptr<redis::client> redis, shard_keys keys, boost::asio::any_io_executor home = {})
        : redis_(std::move(redis)), keys_(std::move(keys)), home_(std::move(home)) {}
    // The same store, answering on another strand.
    std::shared_ptr<store> answering_on(boost::asio::any_io_executor home) const;
    const shard_keys& keys() const { return keys_; }

    redis::client& redis() { return *redis_; }
    bool available() const { return redis_->connected(); }
    // The epoch a commit must carry: the shard's lease while it is held (and confirmed
    // recently enough that it cannot have lapsed), none otherwise. Read on the store's home.
    void fence(std::function<std::optional<std::int64_t>()> epoch) { epoch_ = std::move(epoch); }
    bool writable() const { return available() && (!epoch_ || epoch_()); }
    // Durability over availability: a commit counts as stored only once `replicas` replicas
    // have it (WAIT after each commit); not within `timeout`, it is an unknown outcome.
    void wait_for_replicas(int replicas, std::chrono::milliseconds timeout) {
        replicas_ = replicas;
        replica_timeout_ = timeout;
    }

    // Writes the batch as one fenced FCALL: applied whole while this node's epoch is the
    // shard's (else `fenced`, nothing written). An append whose id is taken is skipped when
    // the stored entry is the same message (a rewrite after a lost reply); another message
    // there is a conflict, nothing written, never acknowledged.
    void commit(write_batch batch, std::function<void(std::error_code)> done);
    void load(std::function<void(std::error_code, loaded_state)> done);

    // The shard's lease (chatd_acquire/renew/release, functions.hpp). Taking answers the new
    // epoch, or 0 and the value of the lease another holds.
    void take_lease(const std::string& holder, std::chrono::milliseconds ttl, const std::string& replaceable,
                    std::function<void(std::error_code, std::int64_t epoch, std::string held_by)> done);
    void renew_lease(const std::string& value, std::chrono::milliseconds ttl,
                     std::function<void(std::error_code, bool ours)> done);
    void release_lease(const std::string& value, std::function<void(std::error_code)> done);
    void messages(const std::string& conversation, std::uint64_t after, std::size_t limit,
                  std::function<void(std::error_code, std::vector<stored_message>)> done);
    // The last `limit` messages of each conversation, newest first, in one round trip.
    void tails(const std::vector<std::string>& conversations, std::size_t limit,
               std::function<void(std::error_code, std::vector<std::vector<stored_message>>)> done);
    // A conversation's internal thread after `after`, oldest first; its last `limit` notes,
    // newest first (to number the next one).
    void notes(const std::string& conversation, std::uint64_t after, std::size_t limit,
               std::function<void(std::error_code, std::vector<stored_note>)> done);
    void note_tail(const std::string& conversation, std::size_t limit,
                   std::function<void(std::error_code, std::vector<stored_note>)> done);
    void conversation(const std::string& id,
                      std::function<void(std::error_code, std::optional<queue::conversation>)> done);
    void attachment(const std::string& id, std::function<void(std::error_code, std::optional<attachment_record>)> done);
    // The attachments still waiting for their virus scan's verdict.
    void scanning(std::function<void(std::error_code, std::vector<attachment_record>)> done);
    // `tenant`'s audit entries from `from` to `to` (inclusive), oldest first, at most `limit`
    // (a repeated one left out).
    void audit(const std::string& tenant, queue::instant from, queue::instant to, std::size_t limit,
               std::function<void(std::error_code, std::vector<audit_entry>)> done);
    // The bytes `tenant` keeps in the file store.
    void files_used(const std::string& tenant, std::function<void(std::error_code, std::uint64_t)> done);
    // Several conversations in one round trip (MGET); missing or unreadable ones are left out.
    void conversations(const std::vector<std::string>& ids,
                       std::function<void(std::error_code, std::vector<queue::conversation>)> done);
    void customer_conversations(const std::string& tenant, const std::string& user,
                                std::function<void(std::error_code, std::vector<std::string>)> done);
    // The last status reported of each ticket (in order; none where nothing was reported).
    void ticket_statuses(const std::vector<std::string>& tickets,
                         std::function<void(std::error_code, std::vector<std::optional<server::ticket_status>>)> done);
    // The tenant's shared saved answers, then `user`'s own (unreadable ones left out).
    void saved_answers(const std::string& tenant, const std::string& user,
                       std::function<void(std::error_code, std::vector<saved_answer>)> done);

    // The webhook outbox (store_webhooks.cpp). Each endpoint's last entry taken (endpoint -> id).
    void webhook_cursors(std::function<void(std::error_code, std::map<std::string, std::string>)> done);
    // Up to `limit` outbox entries after `after` ("0-0": from the start).
    void webhooks_after(const std::string& after, std::size_t limit,
                        std::function<void(std::error_code, std::vector<webhook_event>)> done);
    // The endpoint's retries due by `now_ms` (at most `limit`), and when the next one after them is due.
    void webhooks_due(const std::string& endpoint, std::int64_t now_ms, std::size_t limit,
                      std::function<void(std::error_code, std::vector<webhook_retry>, std::optional<std::int64_t>)> done);
    // How many events each endpoint is retrying.
    void webhook_retry_counts(const std::vector<std::string>& endpoints,
                              std::function<void(std::error_code, std::vector<std::size_t>)> done);
    // The newest `limit` dead letters, newest first.
    void webhook_dead_letters(std::size_t limit, std::function<void(std::error_code, std::vector<webhook_dead_letter>)> done);
    // Puts a dead letter back into its endpoint's retries, due now (chatd_replay: atomic, from any
    // node). `found` is false when no such dead letter is kept.
    // `tenant` not empty: only a dead letter of that tenant's. `by` is written to the tenant's audit
    // log with it (its actor, role and time).
    void replay_dead_letter(const std::string& id, const std::string& tenant, const audit_entry& by,
                            std::function<void(std::error_code, bool found)> done);

private:
    void exec(std::vector<redis::command> commands, redis::client::handler done);
    // Sends reads; an error reply to any of them is the request's error.
    void read(std::vector<redis::command> commands, std::function<void(std::error_code, redis::client::replies)> done);
    void read_tails(std::shared_ptr<loaded_state> state, std::function<void(std::error_code, loaded_state)> done);
    void read_notes(redis::command range, std::function<void(std::error_code, std::vector<stored_note>)> done);
    void on_committed(const redis::value& reply, std::function<void(std::error_code)> done);

    std::shared_ptr<redis::client> redis_;
    shard_keys keys_;
    boost::asio::any_io_executor home_;
    std::function<std::optional<std::int64_t>()> epoch_;
    int replicas_ = 0;
    std::chrono::milliseconds replica_timeout_{1000};
};

// Parsing of stored documents, exposed for tests and chatctl.
std::optional<queue::conversation> parse_conversation_doc(std::string_view text);
std::optional<stored_message> parse_message_entry(const redis::value& entry);
std::optional<stored_note> parse_note_entry(const redis::value& entry);
std::optional<audit_entry> parse_audit_entry(const std::string& tenant, const redis::value& entry);

} // namespace chat::server
