// The webhook outbox's writes and reads: one shard's keys, like everything else the store does.

#include "chat/server/store/store.hpp"

#include "reply_text.hpp"

#include <nlohmann/json.hpp>

#include <chrono>

namespace chat::server {
namespace {

using nlohmann::json;
using stored::instant_of;
using stored::integer_of;
using stored::ms_text;

// Dead letters kept per shard; the oldest go first.
constexpr const char* dead_letters_kept = "10000";

// A retry as its hash field's value: the event, carried whole, and how it went so far.
std::string retry_doc(const webhook_retry& r) {
    return json{{"event", r.event.event}, {"type", r.event.type}, {"tenant", r.event.tenant},
                {"at", ms_text(r.event.at)}, {"body", r.event.body}, {"tries", r.tries}, {"error", r.error}}
        .dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<webhook_retry> parse_retry_doc(const std::string& endpoint, const std::string& text) {
    auto doc = json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
    webhook_retry r;
    r.endpoint = endpoint;
    r.event.event = doc.value("event", "");
    r.event.type = doc.value("type", "");
    r.event.tenant = doc.value("tenant", "");
    r.event.at = instant_of(doc.value("at", "0")).value_or(queue::instant{});
    r.event.body = doc.value("body", "");
    r.tries = doc.value("tries", 0);
    r.error = doc.value("error", "");
    if (r.event.event.empty() || r.event.type.empty()) return std::nullopt;
    return r;
}

// Fields of a stream entry ([id, [field, value, ...]]) by name.
template <class F> void each_field(const redis::value& entry, F&& f) {
    if (entry.elements.size() != 2) return;
    const auto& list = entry.elements[1].elements;
    for (std::size_t i = 0; i + 1 < list.size(); i += 2) f(list[i].text, list[i + 1].text);
}

webhook_event parse_event_entry(const redis::value& entry) {
    webhook_event e;
    if (entry.elements.size() == 2) e.id = entry.elements[0].text;
    each_field(entry, [&](const std::string& k, const std::string& v) {
        if (k == "event") e.event = v;
        else if (k == "type") e.type = v;
        else if (k == "tenant") e.tenant = v;
        else if (k == "body") e.body = v;
        else if (k == "at") e.at = instant_of(v).value_or(queue::instant{});
    });
    return e;
}

} // namespace

void write_batch::webhook(const webhook_event& e) {
    commands_.push_back({"XADD", keys_->webhooks(), ">" + ms_text(e.at), "event", e.event, "type", e.type, "tenant",
                         e.tenant, "at", ms_text(e.at), "body", e.body});
}

void write_batch::webhook_taken(const std::string& endpoint, const std::string& entry) {
    commands_.push_back({"HSET", keys_->webhook_cursors(), endpoint, entry});
}

void write_batch::webhook_retry(const server::webhook_retry& r) {
    commands_.push_back({"HSET", keys_->webhook_retries(r.endpoint), r.event.event, retry_doc(r)});
    commands_.push_back({"ZADD", keys_->webhook_due(r.endpoint), std::to_string(r.due_ms), r.event.event});
}

void write_batch::webhook_done(const std::string& endpoint, const std::string& event) {
    commands_.push_back({"ZREM", keys_->webhook_due(endpoint), event});
    commands_.push_back({"HDEL", keys_->webhook_retries(endpoint), event});
}

void write_batch::webhook_dead(const server::webhook_retry& r, queue::instant at) {
    commands_.push_back({"XADD", keys_->webhook_dead(), ">" + ms_text(at), "endpoint", r.endpoint, "event", r.event.event,
                         "type", r.event.type, "tenant", r.event.tenant, "at", ms_text(r.event.at), "body", r.event.body,
                         "tries", std::to_string(r.tries), "error", r.error, "given_up", ms_text(at)});
    commands_.push_back({"XTRIM", keys_->webhook_dead(), "MAXLEN", "~", dead_letters_kept});
    webhook_done(r.endpoint, r.event.event);
}

void write_batch::webhooks_trimmed(const std::string& below) {
    commands_.push_back({"XTRIM", keys_->webhooks(), "MINID", below});
}

void store::webhook_cursors(std::function<void(std::error_code, std::map<std::string, std::string>)> done) {
    read({{"HGETALL", keys_.webhook_cursors()}}, [done = std::move(done)](std::error_code ec, redis::client::replies r) {
        std::map<std::string, std::string> out;
        if (!ec)
            for (std::size_t i = 0; i + 1 < r[0].elements.size(); i += 2)
                out[r[0].elements[i].text] = r[0].elements[i + 1].text;
        done(ec, std::move(out));
    });
}

void store::webhooks_after(const std::string& after, std::size_t limit,
                           std::function<void(std::error_code, std::vector<webhook_event>)> done) {
    read({{"XRANGE", keys_.webhooks(), "(" + after, "+", "COUNT", std::to_string(limit)}},
         [done = std::move(done)](std::error_code ec, redis::client::replies r) {
             std::vector<webhook_event> out;
             if (!ec)
                 for (const auto& e : r[0].elements) out.push_back(parse_event_entry(e));
             done(ec, std::move(out));
         });
}

void store::webhooks_due(const std::string& endpoint, std::int64_t now_ms, std::size_t limit,
                         std::function<void(std::error_code, std::vector<webhook_retry>, std::optional<std::int64_t>)> done) {
    // The earliest `limit` + 1: those due are taken, the first not due says when to look again.
    read({{"ZRANGE", keys_.webhook_due(endpoint), "0", std::to_string(limit), "WITHSCORES"}},
         [this, endpoint, now_ms, limit, done = std::move(done)](std::error_code ec, redis::client::replies r) mutable {
             if (ec) return done(ec, {}, std::nullopt);
             std::vector<std::pair<std::string, std::int64_t>> due;
             std::optional<std::int64_t> next;
             const auto& list = r[0].elements;
             for (std::size_t i = 0; i + 1 < list.size(); i += 2) {
                 auto at = integer_of<std::int64_t>(list[i + 1].text).value_or(0);
                 if (at <= now_ms && due.size() < limit) due.emplace_back(list[i].text, at);
                 else if (!next || at < *next) next = at;
             }
             if (due.empty()) return done({}, {}, next);
             redis::command get{"HMGET", keys_.webhook_retries(endpoint)};
             for (const auto& [event, at] : due) get.push_back(event);
             read({std::move(get)}, [endpoint, due, next, done = std::move(done)](std::error_code read_ec, redis::client::replies docs) {
                 if (read_ec) return done(read_ec, {}, std::nullopt);
                 std::vector<webhook_retry> out;
                 for (std::size_t i = 0; i < due.size() && i < docs[0].elements.size(); ++i) {
                     auto retry = docs[0].elements[i].is_nil() ? std::nullopt : parse_retry_doc(endpoint, docs[0].elements[i].text);
                     if (!retry) {
                         // A due entry without its event (unreadable): dropped with an empty event the caller removes.
                         webhook_retry broken;
                         broken.endpoint = endpoint;
                         broken.event.event = due[i].first;
                         broken.due_ms = due[i].second;
                         out.push_back(std::move(broken));
                         continue;
                     }
                     retry->due_ms = due[i].second;
                     out.push_back(std::move(*retry));
                 }
                 done({}, std::move(out), next);
             });
         });
}

void store::webhook_retry_counts(const std::vector<std::string>& endpoints,
                                 std::function<void(std::error_code, std::vector<std::size_t>)> done) {
    std::vector<redis::command> commands;
    for (const auto& e : endpoints) commands.push_back({"ZCARD", keys_.webhook_due(e)});
    if (commands.empty()) return done({}, {});
    read(std::move(commands), [done = std::move(done)](std::error_code ec, redis::client::replies r) {
        std::vector<std::size_t> out;
        if (!ec)
            for (const auto& v : r) out.push_back(static_cast<std::size_t>(v.integer));
        done(ec, std::move(out));
    });
}

void store::webhook_dead_letters(std::size_t limit, std::function<void(std::error_code, std::vector<webhook_dead_letter>)> done) {
    read({{"XREVRANGE", keys_.webhook_dead(), "+", "-", "COUNT", std::to_string(limit)}},
         [done = std::move(done)](std::error_code ec, redis::client::replies r) {
             std::vector<webhook_dead_letter> out;
             if (!ec)
                 for (const auto& entry : r[0].elements) {
                     webhook_dead_letter d;
                     d.event = parse_event_entry(entry);
                     d.id = d.event.id;
                     d.event.id.clear();
                     each_field(entry, [&](const std::string& k, const std::string& v) {
                         if (k == "endpoint") d.endpoint = v;
                         else if (k == "tries") d.tries = integer_of<int>(v).value_or(0);
                         else if (k == "error") d.error = v;
                         else if (k == "given_up") d.at = instant_of(v).value_or(queue::instant{});
                     });
                     out.push_back(std::move(d));
                 }
             done(ec, std::move(out));
         });
}

void store::replay_dead_letter(const std::string& id, const std::string& tenant, const audit_entry& by,
                               std::function<void(std::error_code, bool)> done) {
    // The entry names its endpoint and tenant, and so the keys the function must be given.
    read({{"XRANGE", keys_.webhook_dead(), id, id}}, [this, id, tenant, by, done = std::move(done)](std::error_code ec, redis::client::replies r) mutable {
        if (ec) return done(ec, false);
        if (r[0].elements.empty()) return done({}, false);
        std::string endpoint, owner;
        each_field(r[0].elements[0], [&](const std::string& k, const std::string& v) {
            if (k == "endpoint") endpoint = v;
            else if (k == "tenant") owner = v;
        });
        if (!tenant.empty() && owner != tenant) return done({}, false);
        auto now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
        read({{"FCALL", "chatd_replay", "4", keys_.webhook_dead(), keys_.webhook_retries(endpoint), keys_.webhook_due(endpoint),
               keys_.audit(owner), id, endpoint, std::to_string(now.count()), ms_text(by.at), by.event, by.actor, by.role}},
             [done = std::move(done)](std::error_code call_ec, redis::client::replies answer) {
                 if (call_ec) return done(call_ec, false);
                 done({}, answer[0].integer == 1);
             });
    });
}

} // namespace chat::server
