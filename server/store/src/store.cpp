#include "chat/server/store/store.hpp"

#include <set>

#include "chat/server/log.hpp"

#include "chat/server/store/records_json.hpp"
#include "reply_text.hpp"

#include <boost/asio/dispatch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>

namespace chat::server {
namespace {

using nlohmann::json;
using stored::first_error;
using stored::instant_of;
using stored::integer_of;
using stored::ms_text;

std::string timer_member(const queue::timer& t) {
    return std::string(queue::to_string(t.kind)) + '|' + t.subject;
}
constexpr std::size_t load_chunk = 2000;

} // namespace

void write_batch::put(const queue::conversation& c) {
    json doc{{"record", to_stored(c)}};
    commands_.push_back({"SET", keys_->conversation(c.id), doc.dump()});
    commands_.push_back({"SADD", keys_->live(), c.id});
}

void write_batch::put(const queue::expert& x) {
    commands_.push_back({"SET", keys_->expert(x.id), to_stored(x).dump()});
    commands_.push_back({"SADD", keys_->experts(), x.id});
}

void write_batch::drop_live(const std::string& conversation) {
    commands_.push_back({"SREM", keys_->live(), conversation});
}

void write_batch::timer_set(const queue::timer& t) {
    commands_.push_back({"ZADD", keys_->timers(), ms_text(t.due), timer_member(t)});
}

void write_batch::timer_cleared(const queue::timer& t) {
    commands_.push_back({"ZREM", keys_->timers(), timer_member(t)});
}

void write_batch::restrict(const std::string& tenant, const std::string& user, queue::instant until) {
    commands_.push_back({"HSET", keys_->restrictions(), tenant + '/' + user, ms_text(until)});
}

void write_batch::average_handle(queue::duration d) {
    commands_.push_back({"HSET", keys_->meta(), "average_handle_ms", std::to_string(d.count())});
}

void write_batch::append(const std::string& conversation, const stored_message& m) {
    redis::command add{"XADD", keys_->messages(conversation), "0-" + std::to_string(m.seq), "from",
                       std::string(queue::to_string(m.from)), "author", m.author, "name", m.name, "text",
                       m.text, "client_id", m.client_id, "at", ms_text(m.at)};
    if (const auto& a = m.attachment)
        add.insert(add.end(), {"attachment", a->id, "file_name", a->name, "file_size", std::to_string(a->size), "file_type",
                               a->content_type, "file_state", a->state});
    if (!m.call_url.empty()) add.insert(add.end(), {"call_url", m.call_url});
    if (!m.ticket.empty()) add.insert(add.end(), {"ticket", m.ticket});
    commands_.push_back(std::move(add));
}

void write_batch::ticket_status(const std::string& ticket, const server::ticket_status& t) {
    nlohmann::json doc{{"status", t.status}, {"at", t.at.time_since_epoch().count()}, {"by", t.by}};
    commands_.push_back({"HSET", keys_->ticket_statuses(), ticket, doc.dump()});
}

void write_batch::put_answer(const std::string& tenant, const saved_answer& a) {
    commands_.push_back({"HSET", keys_->answers(tenant, a.owner), a.id, saved_answer_doc(a)});
}

void write_batch::drop_answer(const std::string& tenant, const std::string& owner, const std::string& id) {
    commands_.push_back({"HDEL", keys_->answers(tenant, owner), id});
}

void write_batch::attachment_state(const std::string& id, const std::string& state) {
    commands_.push_back({"HSET", keys_->attachment(id), "state", state});
    if (state != "scanning") commands_.push_back({"SREM", keys_->scanning(), id});
}

void write_batch::audit(const audit_entry& e) {
    // Numbered by its time, so that a range of times is a range of ids.
    commands_.push_back({"XADD", keys_->audit(e.tenant), ">" + ms_text(e.at), "event", e.event, "at", ms_text(e.at), "actor", e.actor, "role",
                         e.role, "action", e.action, "conversation", e.conversation, "detail", e.detail});
}

void write_batch::put_attachment(const attachment_record& a) {
    commands_.push_back({"HSET", keys_->attachment(a.file.id), "name", a.file.name, "size", std::to_string(a.file.size),
                         "content_type", a.file.content_type, "state", a.file.state, "tenant", a.tenant, "conversation",
                         a.conversation, "uploader", a.uploader, "sha256", a.sha256, "at", ms_text(a.at)});
    commands_.push_back({"HINCRBY", keys_->files(a.tenant), "bytes", std::to_string(a.file.size)});
    commands_.push_back({"HINCRBY", keys_->files(a.tenant), "files", "1"});
    if (a.file.state == "scanning") commands_.push_back({"SADD", keys_->scanning(), a.file.id});
}

void write_batch::append_note(const std::string& conversation, const stored_note& n) {
    std::string mentions;
    for (const auto& m : n.mentions) mentions += (mentions.empty() ? "" : " ") + m;
    // The same fields a retried write is recognised by (chatd_commit compares them).
    commands_.push_back({"XADD", keys_->notes(conversation), "0-" + std::to_string(n.seq), "author", n.author, "role",
                         n.role, "name", n.name, "text", n.text, "client_id", n.client_id, "mentions", mentions,
                         "at", ms_text(n.at)});
}

void write_batch::ticket(const std::string& id, const queue::effect::ticket& t, queue::instant at) {
    commands_.push_back({"XADD", keys_->tickets(), "*", "ticket", id, "conversation", t.conversation, "tenant",
                         t.customer.tenant, "user", t.customer.user, "tier",
                         std::string(queue::to_string(t.customer.tier)), "severity",
                         std::to_string(t.severity), "expert", t.expert, "summary", t.summary, "at", ms_text(at),
                         "respond_by", ms_text(t.respond_by)});
}

void write_batch::link_customer(const queue::customer& who, const std::string& conversation) {
    commands_.push_back({"SADD", keys_->customer(who.tenant, who.user), conversation});
}

std::optional<queue::conversation> parse_conversation_doc(std::string_view text) {
    auto doc = json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
    try {
        return conversation_from_stored(doc.at("record"), doc);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

namespace {

// A stream entry's seq, from its id `0-seq` ([ "0-seq", [field, value, ...] ]).
std::optional<std::uint64_t> entry_seq(const redis::value& entry) {
    if (entry.elements.size() != 2) return std::nullopt;
    const auto& id = entry.elements[0].text;
    auto dash = id.find('-');
    if (dash == std::string::npos) return std::nullopt;
    return integer_of<std::uint64_t>(std::string_view(id).substr(dash + 1));
}

} // namespace

std::optional<stored_note> parse_note_entry(const redis::value& entry) {
    auto seq = entry_seq(entry);
    if (!seq) return std::nullopt;
    stored_note n;
    n.seq = *seq;
    const auto& f = entry.elements[1].elements;
    for (std::size_t i = 0; i + 1 < f.size(); i += 2) {
        const auto& k = f[i].text;
        const auto& v = f[i + 1].text;
        if (k == "author") n.author = v;
        else if (k == "role") n.role = v;
        else if (k == "name") n.name = v;
        else if (k == "text") n.text = v;
        else if (k == "client_id") n.client_id = v;
        else if (k == "mentions") {
            for (std::size_t b = 0; b < v.size();) {
                auto e = std::min(v.find(' ', b), v.size());
                if (e > b) n.mentions.push_back(v.substr(b, e - b));
                b = e + 1;
            }
        } else if (k == "at") {
            auto at = instant_of(v);
            if (!at) return std::nullopt;
            n.at = *at;
        }
    }
    return n;
}

std::optional<stored_message> parse_message_entry(const redis::value& entry) {
    auto seq = entry_seq(entry);
    if (!seq) return std::nullopt;
    stored_message m;
    m.seq = *seq;
    stored_attachment file;
    const auto& f = entry.elements[1].elements;
    for (std::size_t i = 0; i + 1 < f.size(); i += 2) {
        const auto& k = f[i].text;
        const auto& v = f[i + 1].text;
        if (k == "from") m.from = queue::parse_party(v).value_or(queue::party::customer);
        else if (k == "author") m.author = v;
        else if (k == "name") m.name = v;
        else if (k == "text") m.text = v;
        else if (k == "client_id") m.client_id = v;
        else if (k == "at") {
            auto at = instant_of(v);
            if (!at) return std::nullopt;
            m.at = *at;
        } else if (k == "attachment") file.id = v;
        else if (k == "file_name") file.name = v;
        else if (k == "file_size") file.size = std::strtoull(v.c_str(), nullptr, 10);
        else if (k == "file_type") file.content_type = v;
        else if (k == "file_state") file.state = v;
        else if (k == "call_url") m.call_url = v;
        else if (k == "ticket") m.ticket = v;
    }
    if (!file.id.empty()) m.attachment = std::move(file);
    return m;
}

redis::command fenced_commit(const shard_keys& keys, std::int64_t epoch, std::vector<redis::command> commands) {
    std::vector<std::string> key_list{keys.epoch()};
    std::unordered_map<std::string, std::size_t> index;
    std::vector<std::string> args{std::to_string(epoch)};
    for (auto& c : commands) {
        auto [it, added] = index.try_emplace(c[1], key_list.size() + 1); // Lua counts from 1
        if (added) key_list.push_back(c[1]);
        args.push_back(std::move(c[0]));
        args.push_back(std::to_string(it->second));
        args.push_back(std::to_string(c.size() - 2));
        for (std::size_t i = 2; i < c.size(); ++i) args.push_back(std::move(c[i]));
    }
    redis::command call{"FCALL", "chatd_commit", std::to_string(key_list.size())};
    call.reserve(3 + key_list.size() + args.size());
    for (auto& k : key_list) call.push_back(std::move(k));
    for (auto& a : args) call.push_back(std::move(a));
    return call;
}

void store::commit(write_batch batch, std::function<void(std::error_code)> done) {
    auto epoch = epoch_ ? epoch_() : std::optional<std::int64_t>(0);
    if (!epoch) {
        // Not the owner (or not sure to be): refused through Redis so that `done` runs later, in
        // order (a read of the shard's own key: on a Cluster it goes where the shard's writes go).
        read({{"EXISTS", keys_.epoch()}}, [done = std::move(done)](std::error_code, redis::client::replies) {
            done(make_error_code(redis::errc::fenced));
        });
        return;
    }
    if (batch.empty()) {
        // A read of the shard's key keeps the order: `done` runs after every write sent before it.
        read({{"EXISTS", keys_.epoch()}}, [done = std::move(done)](std::error_code ec, redis::client::replies) { done(ec); });
        return;
    }
    std::vector<redis::command> commands{fenced_commit(keys_, *epoch, batch.take())};
    if (replicas_ > 0) commands.push_back({"WAIT", std::to_string(replicas_), std::to_string(replica_timeout_.count())});
    exec(std::move(commands), [this, done = std::move(done)](std::error_code ec, redis::client::replies r) mutable {
        if (ec) return done(ec);
        if (replicas_ > 0 && !r.at(0).is_error() && r.at(1).integer < replicas_) {
            log("a commit of ", keys_.prefix(), " reached ", r.at(1).integer, " of ", replicas_,
                " replicas in time; not acknowledged (written again until it is)");
            return done(make_error_code(redis::errc::not_replicated));
        }
        on_committed(r.at(0), std::move(done));
    });
}

void store::on_committed(const redis::value& reply, std::function<void(std::error_code)> done) {
    if (!reply.is_error()) return done({});
    if (reply.text.rfind("FENCED", 0) == 0) return done(make_error_code(redis::errc::fenced));
    if (reply.text.rfind("CONFLICT", 0) == 0)
        log("a commit of ", keys_.prefix(), " was refused: ", reply.text.substr(9),
            "; not acknowledged (is another chatd writing with this shard's epoch?)");
    else
        log("a commit of ", keys_.prefix(), " was refused: ", reply.text);
    done(make_error_code(redis::errc::error_reply));
}

void store::exec(std::vector<redis::command> commands, redis::client::handler done) {
    // The client runs on its own strand; the answer comes back on this store's home.
    boost::asio::dispatch(redis_->executor(), [client = redis_, home = home_, commands = std::move(commands),
                                               done = std::move(done)]() mutable {
        client->exec(std::move(commands), [home, done = std::move(done)](std::error_code ec, redis::client::replies r) mutable {
            if (!home) return done(ec, std::move(r));
            boost::asio::dispatch(home, [done = std::move(done), ec, r = std::move(r)]() mutable { done(ec, std::move(r)); });
        });
    });
}

std::shared_ptr<store> store::answering_on(boost::asio::any_io_executor home) const {
    auto copy = std::make_shared<store>(*this);
    copy->home_ = std::move(home);
    return copy;
}

void store::read(std::vector<redis::command> commands,
                 std::function<void(std::error_code, redis::client::replies)> done) {
    exec(std::move(commands), [done = std::move(done)](std::error_code ec, redis::client::replies r) {
        if (!ec) ec = first_error(r); // before r is moved into the call: argument order is unspecified
        done(ec, std::move(r));
    });
}

void store::load(std::function<void(std::error_code, loaded_state)> done) {
    read(
        {{"SMEMBERS", keys_.live()},
         {"SMEMBERS", keys_.experts()},
         {"ZRANGE", keys_.timers(), "0", "-1", "WITHSCORES"},
         {"HGETALL", keys_.restrictions()},
         {"HGET", keys_.meta(), "average_handle_ms"}},
        [this, done = std::move(done)](std::error_code ec, redis::client::replies r) {
            if (ec) return done(ec, {});
            auto state = std::make_shared<loaded_state>();
            const auto& timers = r[2].elements;
            for (std::size_t i = 0; i + 1 < timers.size(); i += 2) {
                const auto& member = timers[i].text;
                auto bar = member.find('|');
                auto kind = queue::parse_timer_kind(member.substr(0, bar));
                // Scores come back as doubles' text; ours are whole milliseconds.
                auto due = instant_of(timers[i + 1].text);
                if (!kind || bar == std::string::npos || !due) {
                    ++state->skipped;
                    continue;
                }
                state->core.timers.push_back({*kind, member.substr(bar + 1), *due});
            }
            const auto& restrictions = r[3].elements;
            for (std::size_t i = 0; i + 1 < restrictions.size(); i += 2) {
                const auto& who = restrictions[i].text;
                auto slash = who.find('/');
                auto until = instant_of(restrictions[i + 1].text);
                if (slash == std::string::npos || !until) {
                    ++state->skipped;
                    continue;
                }
                state->core.restrictions.push_back({who.substr(0, slash), who.substr(slash + 1), *until});
            }
            if (!r[4].is_nil())
                if (auto ms = integer_of<long long>(r[4].text)) state->core.average_handle = queue::duration(*ms);

            std::vector<redis::command> reads;
            std::size_t conversation_reads = 0;
            auto chunked = [&](const std::vector<redis::value>& ids, auto key_of) {
                for (std::size_t i = 0; i < ids.size(); i += load_chunk) {
                    redis::command mget{"MGET"};
                    for (std::size_t j = i; j < std::min(ids.size(), i + load_chunk); ++j) mget.push_back(key_of(ids[j].text));
                    reads.push_back(std::move(mget));
                }
            };
            chunked(r[0].elements, [this](const std::string& id) { return keys_.conversation(id); });
            conversation_reads = reads.size();
            chunked(r[1].elements, [this](const std::string& id) { return keys_.expert(id); });
            read(std::move(reads), [this, state, conversation_reads, done](std::error_code ec2, redis::client::replies docs) {
                if (ec2) return done(ec2, {});
                for (std::size_t i = 0; i < docs.size(); ++i) {
                    for (const auto& d : docs[i].elements) {
                        if (d.is_nil()) continue;
                        if (i < conversation_reads) {
                            auto c = parse_conversation_doc(d.text);
                            if (!c) {
                                ++state->skipped;
                                continue;
                            }
                            state->core.conversations.push_back(std::move(*c));
                        } else {
                            auto j = json::parse(d.text, nullptr, false);
                            try {
                                state->core.experts.push_back(expert_from_stored(j));
                            } catch (const std::exception&) {
                                ++state->skipped;
                            }
                        }
                    }
                }
                read_tails(state, std::move(done));
            });
        });
}

void store::read_tails(std::shared_ptr<loaded_state> state, std::function<void(std::error_code, loaded_state)> done) {
    // Messages are appended without rewriting the document: the stream says what was stored last.
    std::vector<redis::command> reads;
    reads.reserve(state->core.conversations.size());
    for (const auto& c : state->core.conversations)
        reads.push_back({"XREVRANGE", keys_.messages(c.id), "+", "-", "COUNT", "1"});
    read(std::move(reads), [state, done = std::move(done)](std::error_code ec, redis::client::replies tails) {
        if (ec) return done(ec, {});
        for (std::size_t i = 0; i < tails.size(); ++i) {
            if (tails[i].elements.empty()) continue;
            auto last = parse_message_entry(tails[i].elements[0]);
            if (!last) continue;
            auto& c = state->core.conversations[i];
            // Stored after the record: its inactivity timer is the record's as this message left it.
            if (last->seq > c.messages.last_seq()) state->core.later_messages.push_back({c.id, last->from, last->at});
            c.messages.caught_up({last->client_id, last->seq, last->at, 0});
        }
        done({}, std::move(*state));
    });
}

void store::messages(const std::string& conversation, std::uint64_t after, std::size_t limit,
                     std::function<void(std::error_code, std::vector<stored_message>)> done) {
    read({{"XRANGE", keys_.messages(conversation), "0-" + std::to_string(after + 1), "+", "COUNT",
                   std::to_string(limit)}},
                 [done = std::move(done)](std::error_code ec, redis::client::replies r) {
                     if (ec) return done(ec, {});
                     std::vector<stored_message> out;
                     for (const auto& e : r[0].elements)
                         if (auto m = parse_message_entry(e)) out.push_back(std::move(*m));
                     done({}, std::move(out));
                 });
}

void store::notes(const std::string& conversation, std::uint64_t after, std::size_t limit,
                  std::function<void(std::error_code, std::vector<stored_note>)> done) {
    read_notes({"XRANGE", keys_.notes(conversation), "0-" + std::to_string(after + 1), "+", "COUNT", std::to_string(limit)},
               std::move(done));
}

void store::note_tail(const std::string& conversation, std::size_t limit,
                      std::function<void(std::error_code, std::vector<stored_note>)> done) {
    read_notes({"XREVRANGE", keys_.notes(conversation), "+", "-", "COUNT", std::to_string(limit)}, std::move(done));
}

namespace {

// An attachment's record from its hash's fields (none: the hash is gone).
std::optional<attachment_record> attachment_of(const std::string& id, const redis::value& hash) {
    const auto& f = hash.elements;
    if (f.empty()) return std::nullopt;
    attachment_record a;
    a.file.id = id;
    for (std::size_t i = 0; i + 1 < f.size(); i += 2) {
        const auto& k = f[i].text;
        const auto& v = f[i + 1].text;
        if (k == "name") a.file.name = v;
        else if (k == "size") a.file.size = std::strtoull(v.c_str(), nullptr, 10);
        else if (k == "content_type") a.file.content_type = v;
        else if (k == "state") a.file.state = v;
        else if (k == "tenant") a.tenant = v;
        else if (k == "conversation") a.conversation = v;
        else if (k == "uploader") a.uploader = v;
        else if (k == "sha256") a.sha256 = v;
        else if (k == "at") a.at = instant_of(v).value_or(queue::instant{});
    }
    return a;
}

} // namespace

void store::attachment(const std::string& id,
                       std::function<void(std::error_code, std::optional<attachment_record>)> done) {
    read({{"HGETALL", keys_.attachment(id)}}, [id, done = std::move(done)](std::error_code ec, redis::client::replies r) {
        if (ec) return done(ec, std::nullopt);
        done({}, attachment_of(id, r[0]));
    });
}

void store::scanning(std::function<void(std::error_code, std::vector<attachment_record>)> done) {
    read({{"SMEMBERS", keys_.scanning()}}, [this, done = std::move(done)](std::error_code ec, redis::client::replies r) mutable {
        if (ec || r[0].elements.empty()) return done(ec, {});
        std::vector<std::string> ids;
        std::vector<redis::command> reads;
        for (const auto& e : r[0].elements) {
            ids.push_back(e.text);
            reads.push_back({"HGETALL", keys_.attachment(e.text)});
        }
        read(std::move(reads), [ids = std::move(ids), done = std::move(done)](std::error_code ec2, redis::client::replies hashes) {
            if (ec2) return done(ec2, {});
            std::vector<attachment_record> waiting;
            for (std::size_t i = 0; i < ids.size() && i < hashes.size(); ++i)
                if (auto a = attachment_of(ids[i], hashes[i]); a && a->file.state == "scanning") waiting.push_back(std::move(*a));
            done({}, std::move(waiting));
        });
    });
}

std::optional<audit_entry> parse_audit_entry(const std::string& tenant, const redis::value& entry) {
    if (entry.elements.size() != 2) return std::nullopt;
    audit_entry e;
    e.tenant = tenant;
    e.id = entry.elements[0].text;
    const auto& f = entry.elements[1].elements;
    for (std::size_t i = 0; i + 1 < f.size(); i += 2) {
        const auto& k = f[i].text;
        const auto& v = f[i + 1].text;
        if (k == "event") e.event = v;
        else if (k == "at") e.at = instant_of(v).value_or(queue::instant{});
        else if (k == "actor") e.actor = v;
        else if (k == "role") e.role = v;
        else if (k == "action") e.action = v;
        else if (k == "conversation") e.conversation = v;
        else if (k == "detail") e.detail = v;
    }
    return e;
}

void store::audit(const std::string& tenant, queue::instant from, queue::instant to, std::size_t limit,
                  std::function<void(std::error_code, std::vector<audit_entry>)> done) {
    auto ms = [](queue::instant t) { return std::to_string(std::max<long long>(0, t.time_since_epoch().count())); };
    read({{"XRANGE", keys_.audit(tenant), ms(from), ms(to) + "-18446744073709551615", "COUNT", std::to_string(limit + 1)}},
         [tenant, limit, done = std::move(done)](std::error_code ec, redis::client::replies r) {
             if (ec) return done(ec, {});
             std::vector<audit_entry> out;
             std::set<std::string> seen;
             for (const auto& e : r[0].elements)
                 if (auto a = parse_audit_entry(tenant, e); a && seen.insert(a->event).second) out.push_back(std::move(*a));
             if (out.size() > limit) out.resize(limit + 1); // one more than asked: the caller says there is more
             done({}, std::move(out));
         });
}

void store::files_used(const std::string& tenant, std::function<void(std::error_code, std::uint64_t)> done) {
    read({{"HGET", keys_.files(tenant), "bytes"}}, [done = std::move(done)](std::error_code ec, redis::client::replies r) {
        if (ec) return done(ec, 0);
        done({}, r[0].is_nil() ? 0 : std::strtoull(r[0].text.c_str(), nullptr, 10));
    });
}

void store::saved_answers(const std::string& tenant, const std::string& user,
                          std::function<void(std::error_code, std::vector<saved_answer>)> done) {
    read({{"HGETALL", keys_.answers(tenant, "")}, {"HGETALL", keys_.answers(tenant, user)}},
         [done = std::move(done)](std::error_code ec, redis::client::replies r) {
             if (ec) return done(ec, {});
             std::vector<saved_answer> out;
             for (const auto& hash : r)
                 for (std::size_t i = 0; i + 1 < hash.elements.size(); i += 2)
                     if (auto a = parse_saved_answer_doc(hash.elements[i + 1].text)) out.push_back(std::move(*a));
             done({}, std::move(out));
         });
}

void store::read_notes(redis::command range, std::function<void(std::error_code, std::vector<stored_note>)> done) {
    read({std::move(range)}, [done = std::move(done)](std::error_code ec, redis::client::replies r) {
        if (ec) return done(ec, {});
        std::vector<stored_note> out;
        for (const auto& e : r[0].elements)
            if (auto n = parse_note_entry(e)) out.push_back(std::move(*n));
        done({}, std::move(out));
    });
}

void store::tails(const std::vector<std::string>& conversations, std::size_t limit,
                  std::function<void(std::error_code, std::vector<std::vector<stored_message>>)> done) {
    std::vector<redis::command> reads;
    for (const auto& id : conversations)
        reads.push_back({"XREVRANGE", keys_.messages(id), "+", "-", "COUNT", std::to_string(limit)});
    read(std::move(reads), [done = std::move(done)](std::error_code ec, redis::client::replies r) {
        if (ec) return done(ec, {});
        std::vector<std::vector<stored_message>> out(r.size());
        for (std::size_t i = 0; i < r.size(); ++i)
            for (const auto& e : r[i].elements)
                if (auto m = parse_message_entry(e)) out[i].push_back(std::move(*m));
        done({}, std::move(out));
    });
}

void store::conversation(const std::string& id,
                         std::function<void(std::error_code, std::optional<queue::conversation>)> done) {
    read({{"GET", keys_.conversation(id)}}, [done = std::move(done)](std::error_code ec, redis::client::replies r) {
        if (ec) return done(ec, std::nullopt);
        if (r[0].is_nil()) return done({}, std::nullopt);
        done({}, parse_conversation_doc(r[0].text));
    });
}

void store::conversations(const std::vector<std::string>& ids,
                          std::function<void(std::error_code, std::vector<queue::conversation>)> done) {
    if (ids.empty()) return done({}, {});
    std::vector<std::string> command{"MGET"};
    for (const auto& id : ids) command.push_back(keys_.conversation(id));
    read({command}, [done = std::move(done)](std::error_code ec, redis::client::replies r) {
        if (ec) return done(ec, {});
        std::vector<queue::conversation> out;
        for (const auto& v : r[0].elements)
            if (!v.is_nil())
                if (auto c = parse_conversation_doc(v.text)) out.push_back(std::move(*c));
        done({}, std::move(out));
    });
}

void store::customer_conversations(const std::string& tenant, const std::string& user,
                                   std::function<void(std::error_code, std::vector<std::string>)> done) {
    read({{"SMEMBERS", keys_.customer(tenant, user)}},
                 [done = std::move(done)](std::error_code ec, redis::client::replies r) {
                     if (ec) return done(ec, {});
                     std::vector<std::string> ids;
                     for (const auto& v : r[0].elements) ids.push_back(v.text);
                     std::sort(ids.begin(), ids.end());
                     done({}, std::move(ids));
                 });
}

void store::ticket_statuses(const std::vector<std::string>& tickets,
                            std::function<void(std::error_code, std::vector<std::optional<server::ticket_status>>)> done) {
    if (tickets.empty()) return done({}, {});
    redis::command get{"HMGET", keys_.ticket_statuses()};
    get.insert(get.end(), tickets.begin(), tickets.end());
    read({std::move(get)}, [done = std::move(done)](std::error_code ec, redis::client::replies r) {
        if (ec) return done(ec, {});
        std::vector<std::optional<server::ticket_status>> found;
        for (const auto& v : r[0].elements) {
            auto doc = nlohmann::json::parse(v.text, nullptr, false);
            if (v.is_nil() || !doc.is_object() || !doc.value("status", nlohmann::json()).is_string()) {
                found.emplace_back();
                continue;
            }
            found.push_back(server::ticket_status{doc["status"].get<std::string>(),
                                                  queue::instant(queue::duration(doc.value("at", std::int64_t{0}))),
                                                  doc.value("by", std::string())});
        }
        done({}, std::move(found));
    });
}

} // namespace chat::server

namespace chat::server {

void store::take_lease(const std::string& holder, std::chrono::milliseconds ttl, const std::string& replaceable,
                       std::function<void(std::error_code, std::int64_t, std::string)> done) {
    read({{"FCALL", "chatd_acquire", "2", keys_.lease(), keys_.epoch(), holder, std::to_string(ttl.count()), replaceable}},
         [done = std::move(done)](std::error_code ec, redis::client::replies r) {
             if (ec) return done(ec, 0, {});
             const auto& v = r.at(0);
             if (v.type == redis::value::kind::integer) return done({}, v.integer, {});
             if (v.type == redis::value::kind::array && v.elements.size() >= 2) return done({}, 0, v.elements[1].text);
             done(make_error_code(redis::errc::error_reply), 0, {});
         });
}

void store::renew_lease(const std::string& value, std::chrono::milliseconds ttl, std::function<void(std::error_code, bool)> done) {
    read({{"FCALL", "chatd_renew", "1", keys_.lease(), value, std::to_string(ttl.count())}},
         [done = std::move(done)](std::error_code ec, redis::client::replies r) {
             if (ec) return done(ec, false);
             done({}, r.at(0).integer == 1);
         });
}

void store::release_lease(const std::string& value, std::function<void(std::error_code)> done) {
    read({{"FCALL", "chatd_release", "1", keys_.lease(), value}},
         [done = std::move(done)](std::error_code ec, redis::client::replies) { done(ec); });
}

} // namespace chat::server
