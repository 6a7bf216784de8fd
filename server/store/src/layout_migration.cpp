#include "chat/server/store/layout_migration.hpp"

#include "chat/server/store/store.hpp"

#include <map>
#include <set>
#include <stdexcept>

namespace chat::server {
namespace {

const std::vector<std::string> old_globals{"chat:live",         "chat:experts", "chat:timers",
                                           "chat:restrictions", "chat:meta",    "chat:tickets"};

redis::client::replies call(const blocking_exec& exec, std::vector<redis::command> commands) {
    auto [ec, r] = exec(std::move(commands));
    if (ec) throw std::runtime_error("Redis failed while moving the data to shards: " + ec.message());
    return r;
}

// Every key matching `pattern` (SCAN, so Redis is never blocked for long).
std::vector<std::string> scan(const blocking_exec& exec, const std::string& pattern) {
    std::vector<std::string> keys;
    std::string cursor = "0";
    do {
        auto r = call(exec, {{"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"}});
        cursor = r.at(0).elements.at(0).text;
        for (const auto& k : r.at(0).elements.at(1).elements) keys.push_back(k.text);
    } while (cursor != "0");
    return keys;
}

std::string tenant_of_key(const std::string& tenant_slash_user) { return tenant_slash_user.substr(0, tenant_slash_user.find('/')); }

// Conversations: moved with their streams, into their tenant's shard; returns id -> shard.
std::map<std::string, shard_id> move_conversations(const blocking_exec& exec, const shard_map& map, migration_report& report) {
    std::map<std::string, shard_id> where;
    auto live_members = call(exec, {{"SMEMBERS", "chat:live"}}).at(0).elements;
    std::set<std::string> live;
    for (const auto& m : live_members) live.insert(m.text);
    for (const auto& key : scan(exec, "chat:{c:*}:state")) {
        const std::string head = "chat:{c:", tail = "}:state";
        auto id = key.substr(head.size(), key.size() - head.size() - tail.size());
        auto doc = call(exec, {{"GET", key}}).at(0);
        auto c = doc.is_nil() ? std::nullopt : parse_conversation_doc(doc.text);
        if (!c) {
            ++report.unreadable;
            continue;
        }
        auto s = map.shard_of(c->customer.tenant);
        shard_keys k(map.tag(s));
        std::vector<redis::command> moves{{"RENAME", key, k.conversation(id)}};
        if (live.count(id)) moves.push_back({"SADD", k.live(), id});
        if (call(exec, {{"EXISTS", "chat:{c:" + id + "}:messages"}}).at(0).integer)
            moves.push_back({"RENAME", "chat:{c:" + id + "}:messages", k.messages(id)});
        call(exec, std::move(moves));
        where[id] = s;
        ++report.conversations;
    }
    return where;
}

void move_experts_and_customers(const blocking_exec& exec, const shard_map& map, migration_report& report) {
    const auto experts = call(exec, {{"SMEMBERS", "chat:experts"}}).at(0).elements;
    for (const auto& v : experts) {
        shard_keys k(map.tag(map.shard_of(tenant_of_key(v.text))));
        if (call(exec, {{"EXISTS", "chat:expert:" + v.text}}).at(0).integer)
            call(exec, {{"RENAME", "chat:expert:" + v.text, k.expert(v.text)}, {"SADD", k.experts(), v.text}});
        ++report.experts;
    }
    for (const auto& key : scan(exec, "chat:customer:*")) {
        auto who = key.substr(14);
        auto slash = who.find('/');
        if (slash == std::string::npos) continue;
        shard_keys k(map.tag(map.shard_of(who.substr(0, slash))));
        call(exec, {{"RENAME", key, k.customer(who.substr(0, slash), who.substr(slash + 1))}});
        ++report.customers;
    }
}

void move_timers(const blocking_exec& exec, const shard_map& map, const std::map<std::string, shard_id>& where,
                 migration_report& report) {
    const auto all = call(exec, {{"ZRANGE", "chat:timers", "0", "-1", "WITHSCORES"}}).at(0).elements;
    std::vector<redis::command> adds;
    for (std::size_t i = 0; i + 1 < all.size(); i += 2) {
        const auto& member = all[i].text;
        auto bar = member.find('|');
        auto kind = member.substr(0, bar), subject = bar == std::string::npos ? std::string() : member.substr(bar + 1);
        std::vector<shard_id> to;
        if (kind == "business_open") // a region's opening: every shard routes its own deferred ones
            for (shard_id s = 0; s < map.count(); ++s) to.push_back(s);
        else if (kind == "disconnect_grace") to.push_back(map.shard_of(tenant_of_key(subject)));
        else if (auto it = where.find(subject); it != where.end()) to.push_back(it->second);
        for (auto s : to) adds.push_back({"ZADD", shard_keys(map.tag(s)).timers(), all[i + 1].text, member});
        if (!to.empty()) ++report.timers;
    }
    call(exec, std::move(adds));
}

void move_rest(const blocking_exec& exec, const shard_map& map, migration_report& report) {
    const auto restrictions = call(exec, {{"HGETALL", "chat:restrictions"}}).at(0).elements;
    std::vector<redis::command> writes;
    for (std::size_t i = 0; i + 1 < restrictions.size(); i += 2)
        writes.push_back({"HSET", shard_keys(map.tag(map.shard_of(tenant_of_key(restrictions[i].text)))).restrictions(),
                          restrictions[i].text, restrictions[i + 1].text});
    auto handle = call(exec, {{"HGET", "chat:meta", "average_handle_ms"}}).at(0);
    if (!handle.is_nil())
        for (shard_id s = 0; s < map.count(); ++s)
            writes.push_back({"HSET", shard_keys(map.tag(s)).meta(), "average_handle_ms", handle.text});
    call(exec, std::move(writes));
    const auto tickets = call(exec, {{"XRANGE", "chat:tickets", "-", "+"}}).at(0).elements;
    for (const auto& e : tickets) {
        redis::command add{"XADD", "", e.elements.at(0).text};
        std::string tenant;
        const auto& fields = e.elements.at(1).elements;
        for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
            if (fields[i].text == "tenant") tenant = fields[i + 1].text;
            add.push_back(fields[i].text);
            add.push_back(fields[i + 1].text);
        }
        add[1] = shard_keys(map.tag(map.shard_of(tenant))).tickets();
        exec({add}); // already there when run again: refused, and that is fine
        ++report.tickets;
    }
}

} // namespace

bool old_layout_present(const blocking_exec& exec) {
    redis::command exists{"EXISTS"};
    for (const auto& k : old_globals) exists.push_back(k);
    if (call(exec, {exists}).at(0).integer > 0) return true;
    return !scan(exec, "chat:{c:*}:state").empty() || !scan(exec, "chat:expert:*").empty() ||
           !scan(exec, "chat:customer:*").empty();
}

migration_report migrate_layout(const blocking_exec& exec, const shard_map& map) {
    migration_report report;
    auto where = move_conversations(exec, map, report);
    move_experts_and_customers(exec, map, report);
    move_timers(exec, map, where, report);
    move_rest(exec, map, report);
    // Last: the old sets go only once everything they name has moved.
    redis::command del{"DEL"};
    for (const auto& k : old_globals) del.push_back(k);
    call(exec, {del});
    return report;
}

} // namespace chat::server
