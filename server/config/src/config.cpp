#include "chat/server/config.hpp"

#include "chat/ical/holidays.hpp"
#include "chat/protocol/fields.hpp"
#include "chat/protocol/iso8601.hpp"
#include "chat/server/app/webhook_events.hpp"
#include "chat/server/auth/token.hpp"

#include <boost/asio/ip/address.hpp>
#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>
#include <sys/stat.h>
#include <unistd.h>

namespace chat::server {
namespace {

using namespace std::chrono;

// Reads optional keys of one table, naming the full key in every error; remembers the keys
// it was asked for so that a misspelt one is refused rather than silently ignored.
class section {
public:
    section(const toml::table* t, std::string name) : t_(t), name_(std::move(name)) {}

    template <class T> void read(const char* key, T& out) const {
        known_.insert(key);
        if (!t_) return;
        auto node = (*t_)[key];
        if (!node) return;
        if constexpr (std::is_same_v<T, bool>) {
            auto v = node.template value<bool>();
            if (!v) fail(key, "true or false");
            out = *v;
        } else if constexpr (std::is_integral_v<T>) {
            auto v = node.template value<std::int64_t>();
            if (!v || *v < 0) fail(key, "a non-negative integer");
            out = static_cast<T>(*v);
        } else if constexpr (std::is_floating_point_v<T>) {
            auto v = node.template value<double>();
            if (!v) fail(key, "a number");
            out = *v;
        } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::filesystem::path>) {
            auto v = node.template value<std::string>();
            if (!v) fail(key, "a string");
            out = *v;
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
            auto* arr = node.as_array();
            if (!arr) fail(key, "an array of strings");
            out.clear();
            for (auto& e : *arr) {
                auto v = e.template value<std::string>();
                if (!v) fail(key, "an array of strings");
                out.push_back(*v);
            }
        }
    }
    template <class D> void seconds_of(const char* key, D& out) const {
        std::int64_t s = duration_cast<std::chrono::seconds>(out).count();
        read(key, s);
        out = duration_cast<D>(std::chrono::seconds(s));
    }
    [[noreturn]] void fail(const char* key, const char* what) const {
        throw config_error("configuration: " + name_ + "." + key + " must be " + what);
    }
    const toml::table* table() const { return t_; }
    // A key read by hand rather than through read().
    void know(const char* key) const { known_.insert(key); }
    // Call after every read: refuses any key this section does not know.
    void refuse_unknown() const {
        if (!t_) return;
        for (const auto& [key, node] : *t_)
            if (!known_.count(std::string(key.str())))
                throw config_error("configuration: unknown key " + name_ + "." + std::string(key.str()));
    }

private:
    const toml::table* t_;
    std::string name_;
    mutable std::set<std::string> known_;
};

const toml::table* sub(const toml::table& root, const char* name) { return root[name].as_table(); }

// Weekday keys of a tier's `hours` table, by std::chrono::weekday::c_encoding().
constexpr std::array<std::string_view, 7> weekday_keys{"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

// "08:00-17:00"; close after open, at most 24:00.
std::optional<queue::day_hours> parse_span(const std::string& text) {
    int oh = 0, om = 0, ch = 0, cm = 0;
    char c1 = 0, dash = 0, c2 = 0;
    std::istringstream in(text);
    if (!(in >> oh >> c1 >> om >> dash >> ch >> c2 >> cm) || c1 != ':' || dash != '-' || c2 != ':' || oh < 0 ||
        oh > 23 || om < 0 || om > 59 || ch < 0 || cm < 0 || cm > 59 || ch * 60 + cm > 24 * 60 ||
        oh * 60 + om >= ch * 60 + cm || !(in >> std::ws).eof())
        return std::nullopt;
    return queue::day_hours{minutes(oh * 60 + om), minutes(ch * 60 + cm)};
}

// `hours`: "always", "HH:MM-HH:MM" on the calendar's business days, or a table of weekdays
// { mon = "08:00-17:00", sat = "10:00-14:00" } (a weekday left out is closed).
queue::business_hours parse_hours(const section& s, queue::business_hours fallback) {
    s.know("hours");
    if (!s.table()) return fallback;
    auto node = (*s.table())["hours"];
    if (!node) return fallback;
    constexpr const char* expected = "\"always\", \"HH:MM-HH:MM\" or a table of weekdays such as { mon = \"08:00-17:00\" }";
    if (const auto* days = node.as_table()) {
        queue::weekly_hours week{};
        for (const auto& [key, value] : *days) {
            auto at = std::find(weekday_keys.begin(), weekday_keys.end(), key.str());
            auto text = value.value<std::string>();
            if (at == weekday_keys.end() || !text) s.fail("hours", expected);
            auto span = parse_span(*text);
            if (!span) s.fail("hours", expected);
            week[static_cast<std::size_t>(at - weekday_keys.begin())] = span;
        }
        if (std::none_of(week.begin(), week.end(), [](const auto& d) { return d.has_value(); })) s.fail("hours", expected);
        return queue::business_hours::weekly(week);
    }
    auto text = node.value<std::string>();
    if (!text) s.fail("hours", expected);
    if (*text == "always") return queue::business_hours::around_the_clock();
    auto span = parse_span(*text);
    if (!span) s.fail("hours", expected);
    return {false, span->open, span->close, std::nullopt};
}

// Four targets, one per severity 1-4, each a target or "off".
void read_optional_targets(section& ts, const char* name, std::array<std::optional<queue::response_target>, 4>& out) {
    std::vector<std::string> texts;
    ts.read(name, texts);
    if (texts.empty()) return;
    constexpr const char* expected = "four targets, one per severity 1-4, such as \"5m\", \"1bh\" or \"off\"";
    if (texts.size() != 4) ts.fail(name, expected);
    for (std::size_t i = 0; i < 4; ++i) {
        if (texts[i] == "off") {
            out[i].reset();
            continue;
        }
        out[i] = queue::parse_response_target(texts[i]);
        if (!out[i]) ts.fail(name, expected);
    }
}

void read_policy(const toml::table& root, queue::policy& p) {
    section s(sub(root, "policy"), "policy");
    s.read("default_capacity", p.default_capacity);
    s.seconds_of("offer_timeout_s", p.offer_timeout);
    s.seconds_of("disconnect_grace_s", p.disconnect_grace);
    s.seconds_of("stay_grace_s", p.stay_grace);
    s.read("hold_frees_capacity", p.hold_frees_capacity);
    s.seconds_of("hold_return_window_s", p.hold_return_window);
    s.seconds_of("inactivity_active_s", p.inactivity_active);
    s.seconds_of("inactivity_on_hold_s", p.inactivity_on_hold);
    s.read("reopen_business_days", p.reopen_business_days);
    s.read("max_open_per_customer", p.max_open_per_customer);
    s.read("duplicate_threshold", p.duplicate_threshold);
    s.read("conduct_words", p.conduct_words);
    s.read("conduct_max_offences", p.conduct_max_offences);
    s.seconds_of("conduct_restriction_s", p.conduct_restriction);
    s.seconds_of("initial_handle_time_s", p.initial_handle_time);
    s.read("track_positions", p.track_positions);
    s.read("rank_by_priority", p.rank_by_priority);
    s.seconds_of("position_interval_s", p.position_interval);
    if (p.position_interval < queue::duration::zero()) s.fail("position_interval_s", "0 or more");
    if (p.duplicate_threshold <= 0 || p.duplicate_threshold > 1) s.fail("duplicate_threshold", "in (0, 1]");

    for (auto t : {queue::tier::enterprise, queue::tier::standard}) {
        auto name = std::string(queue::to_string(t));
        const auto* tiers = sub(root, "tiers");
        section ts(tiers ? (*tiers)[name].as_table() : nullptr, "tiers." + name);
        auto& tp = p.tiers[static_cast<int>(t)];
        tp.hours = parse_hours(ts, tp.hours);
        std::int64_t max_wait = tp.max_wait ? duration_cast<seconds>(*tp.max_wait).count() : 0;
        ts.read("max_wait_s", max_wait);
        tp.max_wait = max_wait > 0 ? std::optional<queue::duration>(seconds(max_wait)) : std::nullopt;
        ts.know("first_response_s");
        if (ts.table()) {
            if (auto* arr = (*ts.table())["first_response_s"].as_array()) {
                if (arr->size() != 4) ts.fail("first_response_s", "four numbers, one per severity 1-4");
                for (std::size_t i = 0; i < 4; ++i) {
                    auto v = (*arr)[i].value<std::int64_t>();
                    if (!v || *v <= 0) ts.fail("first_response_s", "four positive numbers of seconds");
                    tp.first_response_target[i] = seconds(*v);
                }
            }
        }
        ts.read("sla_in_business_time", tp.sla_in_business_time);
        ts.read("calendar", tp.calendar);
        std::vector<std::string> contact;
        ts.read("initial_contact", contact);
        if (!contact.empty()) {
            constexpr const char* expected = "four targets, one per severity 1-4, such as \"30m\", \"4h\", \"4bh\" or \"1bd\"";
            if (contact.size() != 4) ts.fail("initial_contact", expected);
            for (std::size_t i = 0; i < 4; ++i) {
                auto target = queue::parse_response_target(contact[i]);
                if (!target) ts.fail("initial_contact", expected);
                tp.initial_contact[i] = *target;
            }
        }
        read_optional_targets(ts, "next_response", tp.next_response);
        read_optional_targets(ts, "update_every", tp.update_every);
        ts.read("on_call_severity", tp.on_call_severity);
        if (tp.on_call_severity < 0 || tp.on_call_severity > queue::max_severity) ts.fail("on_call_severity", "0 (none) to 4");
        ts.refuse_unknown();
    }
    if (const auto* tiers = sub(root, "tiers"))
        for (const auto& [key, node] : *tiers)
            if (key.str() != "enterprise" && key.str() != "standard")
                throw config_error("configuration: unknown tier tiers." + std::string(key.str()) +
                                   " (enterprise or standard)");

    std::string default_zone = p.default_calendar.time_zone_name();
    s.read("default_timezone", default_zone);
    s.refuse_unknown();
    try {
        p.default_calendar = queue::business_calendar(default_zone);
    } catch (const std::exception& e) {
        s.fail("default_timezone", "a known time zone such as \"Europe/Berlin\"");
    }
}

// [regions.NAME]: kept as written (for --print-config) and turned into the policy's calendars;
// a tier's `calendar` names one of them.
void read_regions(const toml::table& root, const std::filesystem::path& base, config& c) {
    const auto* regions = sub(root, "regions");
    if (!regions) return;
    for (const auto& [key, node] : *regions) {
        std::string name(key.str());
        if (!protocol::valid_id(name)) throw config_error("configuration: regions." + name + " is not a valid region id");
        section r(node.as_table(), "regions." + name);
        if (!r.table()) throw config_error("configuration: regions." + name + " must be a table");
        region_config rc;
        r.read("timezone", rc.timezone);
        r.read("weekend", rc.weekend);
        r.read("holidays", rc.holidays);
        r.read("holidays_ics", rc.holidays_ics);
        r.refuse_unknown();
        std::set<sys_days> days;
        for (const auto& h : rc.holidays) {
            auto t = protocol::parse_instant(h + "T00:00:00Z");
            if (!t) r.fail("holidays", "dates such as \"2026-12-25\"");
            days.insert(floor<std::chrono::days>(*t));
        }
        if (!rc.holidays_ics.empty()) {
            try {
                // A relative path is the config file's neighbour.
                days.merge(ical::load_holidays((base / rc.holidays_ics).string()));
            } catch (const std::exception& e) {
                throw config_error("configuration: regions." + name + ".holidays_ics: " + e.what());
            }
        }
        try {
            c.policy.regions.insert_or_assign(
                name, queue::business_calendar(rc.timezone, queue::parse_weekend(rc.weekend), days));
        } catch (const std::exception& e) {
            throw config_error("configuration: regions." + name + ": " + e.what());
        }
        c.regions.insert_or_assign(name, std::move(rc));
    }
}

// [[webhooks]]: where events are delivered, signed, and how long a failing one is retried.
void read_webhooks(const toml::table& root, const std::filesystem::path& dir, webhooks::config& out) {
    auto node = root["webhooks"];
    if (!node) return;
    const auto* list = node.as_array();
    if (!list || list->size() > 20) throw config_error("configuration: [[webhooks]] must be a list of at most 20 tables");
    std::set<std::string> names;
    for (const auto& item : *list) {
        section w(item.as_table(), "webhooks");
        if (!w.table()) throw config_error("configuration: [[webhooks]] must be a list of tables");
        webhooks::endpoint e;
        w.read("name", e.name);
        if (!protocol::valid_id(e.name) || e.name.find(':') != std::string::npos) w.fail("name", "an id of letters, digits and ._@-");
        if (!names.insert(e.name).second) w.fail("name", "unique among the webhooks");
        w.read("url", e.url);
        if (!webhooks::parse_url(e.url)) w.fail("url", "an http:// or https:// URL");
        w.read("secret", e.secret);
        if (e.secret.size() < 16) w.fail("secret", "at least 16 characters (the HMAC-SHA256 key)");
        std::vector<std::string> events, tenants;
        w.read("events", events);
        for (const auto& t : events)
            if (!webhook_events::known(t)) w.fail("events", "a list of event types (docs/webhooks.md)");
        e.events = {events.begin(), events.end()};
        w.read("tenants", tenants);
        for (const auto& t : tenants)
            if (!protocol::valid_id(t)) w.fail("tenants", "a list of tenant ids");
        e.tenants = {tenants.begin(), tenants.end()};
        w.read("max_attempts", e.retry.max_attempts);
        if (e.retry.max_attempts < 1 || e.retry.max_attempts > 100) w.fail("max_attempts", "between 1 and 100");
        std::int64_t first = e.retry.first_delay.count(), most = e.retry.max_delay.count(), timeout = e.timeout.count();
        w.read("first_retry_ms", first);
        w.read("max_retry_ms", most);
        w.read("timeout_ms", timeout);
        if (first < 10) w.fail("first_retry_ms", "at least 10");
        if (most < first || most > 24 * 3600 * 1000) w.fail("max_retry_ms", "at least first_retry_ms and at most a day");
        if (timeout < 100 || timeout > 120000) w.fail("timeout_ms", "between 100 and 120000");
        e.retry.first_delay = milliseconds(first);
        e.retry.max_delay = milliseconds(most);
        e.timeout = milliseconds(timeout);
        std::string ca;
        w.read("ca_file", ca);
        if (!ca.empty()) {
            auto p = std::filesystem::path(ca).is_relative() ? dir / ca : std::filesystem::path(ca);
            if (!std::filesystem::is_regular_file(p)) w.fail("ca_file", "a readable PEM file");
            e.ca_file = p.string();
        }
        w.refuse_unknown();
        out.endpoints.push_back(std::move(e));
    }
}

// [skills]: which skills a conversation needs, by product area and by tier and severity.
void read_skills(const toml::table& root, queue::skill_routing& out) {
    const auto* t = sub(root, "skills");
    if (!t) return;
    auto ids = [](const toml::node* n, const std::string& where) {
        std::set<std::string> list;
        const auto* arr = n ? n->as_array() : nullptr;
        if (!arr) throw config_error("configuration: " + where + " must be a list of skill ids");
        for (const auto& e : *arr) {
            auto v = e.value<std::string>();
            if (!v || !protocol::valid_id(*v)) throw config_error("configuration: " + where + " must be a list of skill ids");
            list.insert(*v);
        }
        return list;
    };
    for (const auto& [key, node] : *t) {
        std::string name(key.str());
        if (name == "product_areas") {
            const auto* areas = node.as_table();
            if (!areas) throw config_error("configuration: skills.product_areas must be a table of area = [skills]");
            for (const auto& [area, skills] : *areas) {
                std::string a(area.str());
                if (!protocol::valid_id(a)) throw config_error("configuration: skills.product_areas." + a + " is not a valid id");
                out.product_areas[a] = ids(&skills, "skills.product_areas." + a);
            }
        } else if (name == "rules") {
            const auto* rules = node.as_array();
            if (!rules) throw config_error("configuration: skills.rules must be a list of tables");
            for (const auto& r : *rules) {
                section rule(r.as_table(), "skills.rules");
                if (!rule.table()) throw config_error("configuration: skills.rules must be a list of tables");
                queue::skill_rule sr;
                std::string tier;
                rule.read("tier", tier);
                if (!tier.empty()) {
                    sr.for_tier = queue::parse_tier(tier);
                    if (!sr.for_tier) rule.fail("tier", "enterprise or standard");
                }
                std::int64_t max_severity = queue::max_severity;
                rule.read("max_severity", max_severity);
                if (max_severity < queue::min_severity || max_severity > queue::max_severity) rule.fail("max_severity", "1 to 4");
                sr.max_severity = static_cast<int>(max_severity);
                rule.know("skills");
                sr.skills = ids(rule.table()->get("skills"), "skills.rules.skills");
                rule.refuse_unknown();
                out.rules.push_back(std::move(sr));
            }
        } else {
            throw config_error("configuration: unknown key skills." + name);
        }
    }
}

toml::array strings(const std::vector<std::string>& v) {
    toml::array a;
    for (const auto& s : v) a.push_back(s);
    return a;
}

std::string span_text(std::chrono::minutes open, std::chrono::minutes close) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02d:%02d-%02d:%02d", static_cast<int>(open.count() / 60),
                  static_cast<int>(open.count() % 60), static_cast<int>(close.count() / 60),
                  static_cast<int>(close.count() % 60));
    return buf;
}

// What parse_hours reads back.
toml::table with_hours(toml::table t, const queue::business_hours& h) {
    if (h.always) {
        t.insert("hours", "always");
    } else if (h.week) {
        toml::table days;
        for (std::size_t i = 0; i < 7; ++i)
            if (const auto& d = (*h.week)[i]) days.insert(weekday_keys[i], span_text(d->open, d->close));
        t.insert("hours", days);
    } else {
        t.insert("hours", span_text(h.open, h.close));
    }
    return t;
}

long long secs(queue::duration d) { return duration_cast<seconds>(d).count(); }

} // namespace

config load_config(const std::filesystem::path& path) {
    config c;
    if (path.empty()) return c;
    toml::table root;
    try {
        root = toml::parse_file(path.string());
    } catch (const toml::parse_error& e) {
        std::ostringstream msg;
        msg << "configuration: " << path.string() << ':' << e.source().begin.line << ": " << e.description();
        throw config_error(msg.str());
    }
    section server(sub(root, "server"), "server");
    server.read("bind", c.bind);
    int port = c.port;
    server.read("port", port);
    if (port < 0 || port > 65535) server.fail("port", "a port number (0: any free one)");
    c.port = static_cast<unsigned short>(port);
    server.read("threads", c.threads);
    if (c.threads < 1 || c.threads > 64) server.fail("threads", "between 1 and 64");
    server.read("data_dir", c.data_dir);
    server.read("redis", c.redis_url);
    std::int64_t redis_ms = c.redis_timeout.count();
    server.read("redis_timeout_ms", redis_ms);
    c.redis_timeout = milliseconds(redis_ms);
    server.read("token_secret", c.token_secret);
    server.read("dev_tokens", c.dev_tokens);
    server.read("web_root", c.web_root);
    server.read("public_url", c.webhooks.public_url);
    if (!c.webhooks.public_url.empty() && (!webhooks::parse_url(c.webhooks.public_url) || c.webhooks.public_url.back() == '/'))
        server.fail("public_url", "an http(s) URL without a trailing slash, such as https://chat.example.com");

    section limits(sub(root, "limits"), "limits");
    auto& l = c.limits;
    limits.read("max_frame_bytes", l.max_frame_bytes);
    limits.read("hard_frame_bytes", l.hard_frame_bytes);
    limits.read("max_json_depth", l.max_json_depth);
    limits.read("outbound_frames", l.outbound_frames);
    limits.read("outbound_bytes", l.outbound_bytes);
    limits.read("frames_per_second", l.frames_per_second);
    limits.read("frame_burst", l.frame_burst);
    limits.read("bad_frames_before_close", l.bad_frames_before_close);
    limits.seconds_of("idle_timeout_s", l.idle_timeout);
    limits.seconds_of("handshake_timeout_s", l.handshake_timeout);
    limits.read("max_connections", l.max_connections);
    limits.seconds_of("hello_timeout_s", l.hello_timeout);
    limits.read("max_unauthenticated", l.max_unauthenticated);
    limits.read("permessage_deflate", l.permessage_deflate);
    limits.read("max_queue", c.hub.max_queue);
    limits.read("customer_messages_per_second", c.hub.customer_messages_per_second);
    limits.read("customer_message_burst", c.hub.customer_message_burst);
    if (l.hard_frame_bytes < l.max_frame_bytes) limits.fail("hard_frame_bytes", "at least max_frame_bytes");
    if (l.max_json_depth < 2 || l.max_json_depth > 64) limits.fail("max_json_depth", "between 2 and 64");

    server.refuse_unknown();
    limits.refuse_unknown();

    section cluster(sub(root, "cluster"), "cluster");
    cluster.read("node_id", c.cluster.node_id);
    if (!c.cluster.node_id.empty() && !protocol::valid_id(c.cluster.node_id))
        cluster.fail("node_id", "1..64 of letters, digits and ._:@-");
    cluster.read("shards", c.cluster.shards);
    if (c.cluster.shards < 1 || c.cluster.shards > 4096) cluster.fail("shards", "between 1 and 4096");
    std::int64_t ttl = c.cluster.lease_ttl.count(), forward = c.cluster.forward_timeout.count();
    cluster.read("lease_ttl_ms", ttl);
    cluster.read("forward_timeout_ms", forward);
    if (ttl < 500 || ttl > 60000) cluster.fail("lease_ttl_ms", "between 500 and 60000");
    c.cluster.lease_ttl = milliseconds(ttl);
    c.cluster.forward_timeout = milliseconds(forward);
    cluster.refuse_unknown();

    section redis(sub(root, "redis"), "redis");
    redis.read("replica_acks", c.redis.replica_acks);
    if (c.redis.replica_acks < 0 || c.redis.replica_acks > 1) redis.fail("replica_acks", "0 or 1");
    std::int64_t replica_ms = c.redis.replica_timeout.count();
    redis.read("replica_timeout_ms", replica_ms);
    // WAIT holds the connection: it must end well before the request's own deadline.
    if (replica_ms < 10 || replica_ms * 2 > c.redis_timeout.count())
        redis.fail("replica_timeout_ms", "at least 10 and at most half of server.redis_timeout_ms");
    c.redis.replica_timeout = milliseconds(replica_ms);
    redis.refuse_unknown();

    section files(sub(root, "files"), "files");
    files.read("dir", c.files.dir);
    files.read("max_bytes_standard", c.files.max_bytes_standard);
    files.read("max_bytes_enterprise", c.files.max_bytes_enterprise);
    files.read("tenant_quota_bytes", c.hub.file_quota_bytes);
    files.read("clamd", c.files.clamd);
    if (!c.files.clamd.empty() && c.files.clamd.rfind("unix:", 0) != 0 && c.files.clamd.rfind("tcp:", 0) != 0)
        files.fail("clamd", "unix:PATH or tcp:HOST:PORT");
    std::int64_t scan_ms = c.files.scan_timeout.count();
    files.read("scan_timeout_ms", scan_ms);
    if (scan_ms < 100) files.fail("scan_timeout_ms", "at least 100");
    c.files.scan_timeout = milliseconds(scan_ms);
    files.read("secret_patterns", c.files.secret_patterns);
    if (c.files.secret_patterns.size() > 50 ||
        std::any_of(c.files.secret_patterns.begin(), c.files.secret_patterns.end(),
                    [](const std::string& p) { return p.empty() || p.size() > 200; }))
        files.fail("secret_patterns", "at most 50 patterns of 1 to 200 characters");
    for (auto limit : {"max_bytes_standard", "max_bytes_enterprise"})
        if (files.table() && (*files.table())[limit].value<std::int64_t>().value_or(1) < 1) files.fail(limit, "at least 1");
    files.know("types");
    if (const auto* types = files.table() ? (*files.table())["types"].as_table() : nullptr) {
        c.files.types.clear();
        section t(types, "files.types");
        for (const auto& [type, exts] : *types) {
            std::string name(type.str());
            t.read(name.c_str(), c.files.types[name]);
        }
    }
    files.refuse_unknown();

    section origins(sub(root, "origins"), "origins");
    for (const char* role : {"customer", "expert", "monitor"}) {
        std::vector<std::string> list;
        origins.read(role, list);
        if (!list.empty()) c.allowed_origins[role] = list;
    }
    origins.refuse_unknown();
    read_policy(root, c.policy);
    read_regions(root, path.parent_path(), c);
    for (const auto& tp : c.policy.tiers)
        if (!tp.calendar.empty() && !c.policy.regions.count(tp.calendar))
            throw config_error("configuration: a tier's calendar \"" + tp.calendar +
                               "\" is not one of the [regions.NAME] tables");
    read_skills(root, c.policy.skills);
    read_webhooks(root, path.parent_path(), c.webhooks);
    for (auto t : {queue::tier::enterprise, queue::tier::standard}) {
        bool paged = std::any_of(c.webhooks.endpoints.begin(), c.webhooks.endpoints.end(), [](const auto& e) {
            return e.events.empty() || e.events.count("conversation.after_hours");
        });
        if (c.policy.of(t).on_call_severity > 0 && !paged)
            throw config_error("configuration: tiers." + std::string(queue::to_string(t)) +
                               ".on_call_severity needs a [[webhooks]] endpoint taking conversation.after_hours: on-call would never hear");
    }
    section calls(sub(root, "calls"), "calls");
    calls.read("meeting_url", c.policy.calls.meeting_url);
    if (!c.policy.calls.meeting_url.empty() && !webhooks::parse_url(c.policy.calls.meeting_url))
        calls.fail("meeting_url", "an http(s) URL, e.g. \"https://meet.example.com/chat-{room}\"");
    calls.read("max_severity", c.policy.calls.max_severity);
    if (c.policy.calls.max_severity < queue::min_severity || c.policy.calls.max_severity > queue::max_severity)
        calls.fail("max_severity", "1 to 4");
    calls.refuse_unknown();
    static const std::set<std::string> sections{"server", "limits", "cluster", "redis", "files", "origins", "policy", "tiers", "regions", "skills", "webhooks", "calls"};
    for (const auto& [key, node] : root)
        if (!sections.count(std::string(key.str())))
            throw config_error("configuration: unknown section [" + std::string(key.str()) + "]");
    return c;
}

std::string config::to_toml() const {
    toml::table server{{"bind", bind},
                       {"port", port},
                       {"threads", threads},
                       {"data_dir", data_dir.string()},
                       {"redis", redis_url},
                       {"redis_timeout_ms", redis_timeout.count()},
                       {"token_secret", token_secret.empty() ? "" : "<hidden>"},
                       {"dev_tokens", dev_tokens},
                       {"web_root", web_root.string()},
                       {"public_url", webhooks.public_url}};
    toml::table lim{{"max_frame_bytes", static_cast<std::int64_t>(limits.max_frame_bytes)},
                    {"hard_frame_bytes", static_cast<std::int64_t>(limits.hard_frame_bytes)},
                    {"max_json_depth", limits.max_json_depth},
                    {"outbound_frames", static_cast<std::int64_t>(limits.outbound_frames)},
                    {"outbound_bytes", static_cast<std::int64_t>(limits.outbound_bytes)},
                    {"frames_per_second", limits.frames_per_second},
                    {"frame_burst", limits.frame_burst},
                    {"bad_frames_before_close", limits.bad_frames_before_close},
                    {"idle_timeout_s", limits.idle_timeout.count()},
                    {"handshake_timeout_s", limits.handshake_timeout.count()},
                    {"max_connections", static_cast<std::int64_t>(limits.max_connections)},
                    {"hello_timeout_s", limits.hello_timeout.count()},
                    {"max_unauthenticated", static_cast<std::int64_t>(limits.max_unauthenticated)},
                    {"permessage_deflate", limits.permessage_deflate},
                    {"max_queue", static_cast<std::int64_t>(hub.max_queue)},
                    {"customer_messages_per_second", hub.customer_messages_per_second},
                    {"customer_message_burst", hub.customer_message_burst}};
    toml::table clu{{"node_id", cluster.node_id},
                    {"shards", static_cast<std::int64_t>(cluster.shards)},
                    {"lease_ttl_ms", cluster.lease_ttl.count()},
                    {"forward_timeout_ms", cluster.forward_timeout.count()}};
    toml::table red{{"replica_acks", redis.replica_acks}, {"replica_timeout_ms", redis.replica_timeout.count()}};
    toml::table file_types;
    for (const auto& [type, exts] : files.types) file_types.insert(type, strings(exts));
    toml::table fil{{"dir", files.dir.string()},
                    {"max_bytes_standard", static_cast<std::int64_t>(files.max_bytes_standard)},
                    {"max_bytes_enterprise", static_cast<std::int64_t>(files.max_bytes_enterprise)},
                    {"tenant_quota_bytes", static_cast<std::int64_t>(hub.file_quota_bytes)},
                    {"clamd", files.clamd},
                    {"scan_timeout_ms", files.scan_timeout.count()},
                    {"secret_patterns", strings(files.secret_patterns)},
                    {"types", file_types}};
    toml::table orig;
    for (const char* role : {"customer", "expert", "monitor"}) {
        auto it = allowed_origins.find(role);
        orig.insert(role, strings(it == allowed_origins.end() ? std::vector<std::string>{} : it->second));
    }
    const auto& p = policy;
    toml::table pol{{"default_capacity", p.default_capacity},
                    {"offer_timeout_s", secs(p.offer_timeout)},
                    {"disconnect_grace_s", secs(p.disconnect_grace)},
                    {"stay_grace_s", secs(p.stay_grace)},
                    {"hold_frees_capacity", p.hold_frees_capacity},
                    {"hold_return_window_s", secs(p.hold_return_window)},
                    {"inactivity_active_s", secs(p.inactivity_active)},
                    {"inactivity_on_hold_s", secs(p.inactivity_on_hold)},
                    {"reopen_business_days", p.reopen_business_days},
                    {"max_open_per_customer", p.max_open_per_customer},
                    {"duplicate_threshold", p.duplicate_threshold},
                    {"conduct_words", strings(p.conduct_words)},
                    {"conduct_max_offences", p.conduct_max_offences},
                    {"conduct_restriction_s", secs(p.conduct_restriction)},
                    {"initial_handle_time_s", secs(p.initial_handle_time)},
                    {"track_positions", p.track_positions},
                    {"rank_by_priority", p.rank_by_priority},
                    {"position_interval_s", secs(p.position_interval)},
                    {"default_timezone", p.default_calendar.time_zone_name()}};
    toml::table tiers;
    for (auto t : {queue::tier::enterprise, queue::tier::standard}) {
        const auto& tp = p.of(t);
        toml::array targets;
        for (auto d : tp.first_response_target) targets.push_back(secs(d));
        toml::array contact_targets;
        for (const auto& target : tp.initial_contact) contact_targets.push_back(queue::to_string(target));
        auto optional_targets = [](const auto& per_severity) {
            toml::array texts;
            for (const auto& target : per_severity) texts.push_back(target ? queue::to_string(*target) : std::string("off"));
            return texts;
        };
        tiers.insert(std::string(queue::to_string(t)),
                     with_hours(toml::table{{"max_wait_s", tp.max_wait ? secs(*tp.max_wait) : 0},
                                            {"first_response_s", targets},
                                            {"sla_in_business_time", tp.sla_in_business_time},
                                            {"calendar", tp.calendar},
                                            {"initial_contact", contact_targets},
                                            {"next_response", optional_targets(tp.next_response)},
                                            {"update_every", optional_targets(tp.update_every)},
                                            {"on_call_severity", tp.on_call_severity}},
                                tp.hours));
    }
    toml::table region_tables;
    for (const auto& [name, r] : regions)
        region_tables.insert(name, toml::table{{"timezone", r.timezone},
                                         {"weekend", r.weekend},
                                         {"holidays", strings(r.holidays)},
                                         {"holidays_ics", r.holidays_ics}});
    toml::table areas;
    for (const auto& [area, skills] : policy.skills.product_areas)
        areas.insert(area, strings(std::vector<std::string>(skills.begin(), skills.end())));
    toml::array rules;
    for (const auto& r : policy.skills.rules) {
        toml::table t{{"max_severity", r.max_severity},
                      {"skills", strings(std::vector<std::string>(r.skills.begin(), r.skills.end()))}};
        if (r.for_tier) t.insert("tier", std::string(queue::to_string(*r.for_tier)));
        rules.push_back(std::move(t));
    }
    toml::table root{{"server", server}, {"limits", lim}, {"cluster", clu}, {"redis", red}, {"files", fil}, {"origins", orig}, {"policy", pol}, {"tiers", tiers},
                     {"regions", region_tables}, {"skills", toml::table{{"product_areas", areas}, {"rules", rules}}}};
    root.insert("calls", toml::table{{"meeting_url", policy.calls.meeting_url}, {"max_severity", policy.calls.max_severity}});
    if (!webhooks.endpoints.empty()) {
        toml::array hooks;
        for (const auto& e : webhooks.endpoints)
            hooks.push_back(toml::table{{"name", e.name},
                                        {"url", e.url},
                                        {"secret", "<hidden>"},
                                        {"events", strings({e.events.begin(), e.events.end()})},
                                        {"tenants", strings({e.tenants.begin(), e.tenants.end()})},
                                        {"max_attempts", e.retry.max_attempts},
                                        {"first_retry_ms", e.retry.first_delay.count()},
                                        {"max_retry_ms", e.retry.max_delay.count()},
                                        {"timeout_ms", e.timeout.count()},
                                        {"ca_file", e.ca_file}});
        root.insert("webhooks", std::move(hooks));
    }
    std::ostringstream out;
    out << root << '\n';
    return out.str();
}

command_line parse_command_line(int argc, char** argv) {
    command_line cl;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw config_error(a + " needs a value");
            return argv[++i];
        };
        if (a == "--config") cl.config_file = value();
        else if (a == "--print-config") cl.print_config = true;
        else if (a == "--data-dir") cl.data_dir = value();
        else if (a == "--redis") cl.redis_url = value();
        else if (a == "--bind") cl.bind = value();
        else if (a == "--web-root") cl.web_root = value();
        else if (a == "--dev-tokens") cl.dev_tokens = true;
        else if (a == "--node-id") cl.node_id = value();
        else if (a == "--port") {
            auto v = value();
            int port = -1;
            try {
                std::size_t used = 0;
                port = std::stoi(v, &used);
                if (used != v.size()) port = -1;
            } catch (...) {
            }
            if (port < 0 || port > 65535 || v.empty()) throw config_error("--port must be a port number (0: any free one), not '" + v + "'");
            cl.port = static_cast<unsigned short>(port);
        } else {
            throw config_error("unknown option " + a +
                               "\nusage: chatd [--config FILE] [--port N] [--bind ADDR] [--data-dir DIR] [--redis URL] "
                               "[--web-root DIR] [--node-id ID] [--dev-tokens] [--print-config]");
        }
    }
    return cl;
}

config effective_config(const command_line& cl) {
    auto c = load_config(cl.config_file);
    if (cl.port) c.port = *cl.port;
    if (cl.data_dir) c.data_dir = *cl.data_dir;
    if (cl.redis_url) c.redis_url = *cl.redis_url;
    if (cl.node_id) {
        if (!protocol::valid_id(*cl.node_id)) throw config_error("--node-id must be 1..64 of letters, digits and ._:@-");
        c.cluster.node_id = *cl.node_id;
    }
    if (cl.bind) c.bind = *cl.bind;
    if (cl.web_root) c.web_root = *cl.web_root;
    if (cl.dev_tokens) c.dev_tokens = true;
    // Development tokens let anyone who can reach /dev/token be anyone: never off this machine.
    boost::system::error_code ec;
    auto bind = boost::asio::ip::make_address(c.bind, ec);
    if (ec) throw config_error("configuration: server.bind must be an IP address, not '" + c.bind + "'");
    if (c.dev_tokens && !bind.is_loopback())
        throw config_error("configuration: server.dev_tokens needs a loopback bind (127.0.0.1 or ::1), not " + c.bind +
                           ": it mints tokens for anyone who asks");
    return c;
}

std::string token_secret(const config& c) {
    if (!c.token_secret.empty()) return c.token_secret;
    auto path = c.data_dir / "token-secret";
    auto read = [&]() -> std::optional<std::string> {
        std::ifstream in(path);
        std::string secret;
        if (in >> secret && secret.size() >= 32) return secret;
        return std::nullopt;
    };
    if (auto secret = read()) return *secret;
    std::filesystem::create_directories(c.data_dir);
    // Written to a file of its own, then linked into place: of several nodes starting on one
    // data directory at once, the first one's secret is everybody's.
    auto secret = random_secret();
    auto mine = c.data_dir / ("token-secret." + std::to_string(::getpid()));
    {
        auto old = ::umask(077);
        std::ofstream out(mine, std::ios::trunc);
        ::umask(old);
        out << secret << '\n';
        if (!out) throw config_error("cannot write the token secret to " + mine.string());
    }
    bool linked = ::link(mine.c_str(), path.c_str()) == 0;
    std::error_code ignored;
    std::filesystem::remove(mine, ignored);
    if (linked) return secret;
    for (int i = 0; i < 50; ++i) {
        if (auto theirs = read()) return *theirs;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    throw config_error("cannot read the token secret from " + path.string());
}

} // namespace chat::server
