#include "chat/server/store/records_json.hpp"
#include "chat/server/store/store.hpp"

#include <stdexcept>

namespace chat::server {
namespace {

using nlohmann::json;
using queue::instant;

long long ms(instant t) { return t.time_since_epoch().count(); }
long long ms(queue::duration d) { return d.count(); }
instant at_ms(const json& j) { return instant(queue::duration(j.get<long long>())); }

json opt(const std::optional<instant>& t) { return t ? json(ms(*t)) : json(nullptr); }
json opt(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }

std::optional<instant> opt_instant(const json& j, const char* name) {
    auto it = j.find(name);
    if (it == j.end() || it->is_null()) return std::nullopt;
    return at_ms(*it);
}
std::optional<std::string> opt_string(const json& j, const char* name) {
    auto it = j.find(name);
    if (it == j.end() || it->is_null()) return std::nullopt;
    return it->get<std::string>();
}

template <class E, class Parse> E named(const json& j, Parse parse) {
    auto v = parse(j.get<std::string>());
    if (!v) throw std::invalid_argument("unknown name " + j.get<std::string>());
    return *v;
}

json recent_to_stored(const queue::message_numbering& n) {
    json recent = json::array();
    for (const auto& r : n.recent()) recent.push_back({r.client_id, r.seq, ms(r.at)});
    return recent;
}

// As of the last time the record was stored: the stream may be ahead, so it is incomplete.
queue::message_numbering numbering_from_stored(const json& last_seq, const json& recent) {
    std::vector<queue::message_numbering::recent_id> ids;
    for (const auto& r : recent) {
        queue::instant at{};
        if (r.size() > 2) at = at_ms(r.at(2)); // absent before times were kept
        ids.push_back({r.at(0).get<std::string>(), r.at(1).get<std::uint64_t>(), at, 0});
    }
    return queue::message_numbering::restored(last_seq.get<std::uint64_t>(), std::move(ids), false);
}

json hand_offs_to_stored(const std::vector<queue::hand_off_record>& list) {
    json out = json::array();
    for (const auto& h : list) {
        json card{{"from", h.from}, {"note", h.note}, {"at", ms(h.at)}};
        if (!h.tried.empty()) card["tried"] = h.tried;
        if (!h.promised.empty()) card["promised"] = h.promised;
        if (h.promised_at) card["promised_at"] = ms(*h.promised_at);
        if (h.to) card["to"] = *h.to;
        if (!h.team.empty()) card["team"] = h.team;
        out.push_back(std::move(card));
    }
    return out;
}

json classifications_to_stored(const std::vector<queue::classification_change>& list) {
    json out = json::array();
    for (const auto& k : list)
        out.push_back({{"at", ms(k.at)}, {"by", k.by}, {"field", k.field}, {"from", k.from}, {"to", k.to}, {"reason", k.reason}});
    return out;
}

} // namespace

json to_stored(const queue::conversation& c) {
    json sla{{"target", ms(c.sla.target)},
             {"elapsed", ms(c.sla.elapsed)},
             {"running_since", opt(c.sla.running_since)},
             {"responded_at", opt(c.sla.responded_at)},
             {"breached", c.sla.breached},
             {"predicted", c.sla.predicted},
             {"next_response_breaches", c.sla.next_response_breaches},
             {"update_breaches", c.sla.update_breaches},
             {"awaiting_since", opt(c.replies.awaiting_since)},
             {"awaiting_breached", c.replies.awaiting_breached},
             {"update_from", opt(c.replies.update_from)},
             {"update_breached", c.replies.update_breached}};
    json reserved = nullptr;
    if (c.reserved)
        reserved = {{"expert", c.reserved->expert}, {"until", ms(c.reserved->until)}, {"direct", c.reserved->direct}};
    return {
        {"id", c.id},
        {"customer",
         {{"tenant", c.customer.tenant}, {"user", c.customer.user}, {"tier", queue::to_string(c.customer.tier)},
          {"region", c.customer.region}}},
        {"topic", c.topic},
        {"severity", c.severity},
        {"request_type", c.request_type ? json(queue::to_string(*c.request_type)) : json(nullptr)},
        {"priority", queue::to_string(c.priority)},
        {"classifications", classifications_to_stored(c.classifications)},
        {"required_skills", c.required_skills},
        {"opening_messages", c.opening_messages},
        {"state", queue::to_string(c.state)},
        {"closed_as", c.closed_as ? json(queue::to_string(*c.closed_as)) : json(nullptr)},
        {"duplicate_of", opt(c.duplicate_of)},
        {"previous", opt(c.previous)},
        {"opened_at", ms(c.opened_at)},
        {"first_queued_at", ms(c.first_queued_at)},
        {"sequence", c.sequence},
        {"expert", opt(c.expert)},
        {"last_expert", opt(c.last_expert)},
        {"excluded", c.excluded},
        {"joined", c.joined},
        {"hand_offs", hand_offs_to_stored(c.hand_offs)},
        {"reserved", reserved},
        {"offer_expires_at", opt(c.offer_expires_at)},
        {"assigned_at", opt(c.assigned_at)},
        {"holds_capacity", c.holds_capacity},
        {"scheduled_at", opt(c.scheduled_at)},
        {"proposed_stay_at", opt(c.proposed_stay_at)},
        {"inactivity_deadline", opt(c.inactivity_deadline)},
        {"reopen_until", opt(c.reopen_until)},
        {"closed_at", opt(c.closed_at)},
        {"sla", sla},
        {"offences", c.offences},
        {"survey_rating", c.survey_rating ? json(*c.survey_rating) : json(nullptr)},
        {"survey_comment", c.survey_comment},
        {"survey_requested", c.survey_requested},
        {"customer_name", c.customer_name},
        {"epoch", c.epoch},
        {"ticket", opt(c.ticket)},
        {"last_seq", c.messages.last_seq()},
        {"recent", recent_to_stored(c.messages)},
    };
}

queue::conversation conversation_from_stored(const json& j, const json& outer) {
    queue::conversation c;
    c.id = j.at("id").get<std::string>();
    const auto& who = j.at("customer");
    c.customer.tenant = who.at("tenant").get<std::string>();
    c.customer.user = who.at("user").get<std::string>();
    c.customer.tier = named<queue::tier>(who.at("tier"), queue::parse_tier);
    c.customer.region = who.at("region").get<std::string>();
    c.topic = j.at("topic").get<std::string>();
    c.severity = j.at("severity").get<int>();
    // Absent in records stored before conversations were classified.
    if (auto r = opt_string(j, "request_type")) c.request_type = named<queue::request_type>(json(*r), queue::parse_request_type);
    if (auto p = opt_string(j, "priority")) c.priority = named<queue::priority>(json(*p), queue::parse_priority);
    if (auto k = j.find("classifications"); k != j.end())
        for (const auto& e : *k)
            c.classifications.push_back({at_ms(e.at("at")), e.at("by").get<std::string>(), e.at("field").get<std::string>(),
                                         e.at("from").get<std::string>(), e.at("to").get<std::string>(),
                                         e.at("reason").get<std::string>()});
    c.required_skills = j.at("required_skills").get<std::set<std::string>>();
    c.opening_messages = j.at("opening_messages").get<std::vector<std::string>>();
    c.state = named<queue::conversation_state>(j.at("state"), queue::parse_state);
    if (auto r = opt_string(j, "closed_as")) c.closed_as = named<queue::close_reason>(json(*r), queue::parse_close_reason);
    c.duplicate_of = opt_string(j, "duplicate_of");
    c.previous = opt_string(j, "previous");
    c.opened_at = at_ms(j.at("opened_at"));
    c.first_queued_at = at_ms(j.at("first_queued_at"));
    c.sequence = j.at("sequence").get<std::uint64_t>();
    c.expert = opt_string(j, "expert");
    c.last_expert = opt_string(j, "last_expert");
    c.excluded = j.at("excluded").get<std::set<std::string>>();
    if (auto joined = j.find("joined"); joined != j.end()) c.joined = joined->get<std::set<std::string>>(); // absent before leads joined
    if (auto h = j.find("hand_offs"); h != j.end()) // absent in records stored before hand-off notes were kept
        for (const auto& e : *h) {
            queue::hand_off_record card{e.at("from").get<std::string>(), e.at("note").get<std::string>(), at_ms(e.at("at"))};
            card.tried = e.value("tried", "");
            card.promised = e.value("promised", "");
            if (auto by = e.find("promised_at"); by != e.end()) card.promised_at = at_ms(*by);
            if (auto to = e.find("to"); to != e.end()) card.to = to->get<std::string>();
            card.team = e.value("team", "");
            c.hand_offs.push_back(std::move(card));
        }
    if (const auto& r = j.at("reserved"); !r.is_null())
        c.reserved = queue::reservation{r.at("expert").get<std::string>(), at_ms(r.at("until")), r.at("direct").get<bool>()};
    c.offer_expires_at = opt_instant(j, "offer_expires_at");
    c.assigned_at = opt_instant(j, "assigned_at");
    c.holds_capacity = j.at("holds_capacity").get<bool>();
    c.scheduled_at = opt_instant(j, "scheduled_at");
    c.proposed_stay_at = opt_instant(j, "proposed_stay_at");
    c.inactivity_deadline = opt_instant(j, "inactivity_deadline");
    c.reopen_until = opt_instant(j, "reopen_until");
    c.closed_at = opt_instant(j, "closed_at");
    const auto& sla = j.at("sla");
    c.sla.target = queue::duration(sla.at("target").get<long long>());
    c.sla.elapsed = queue::duration(sla.at("elapsed").get<long long>());
    c.sla.running_since = opt_instant(sla, "running_since");
    c.sla.responded_at = opt_instant(sla, "responded_at");
    c.sla.breached = sla.at("breached").get<bool>();
    // The predicted breach and the reply clocks came later: a record stored before them has none.
    c.sla.predicted = sla.value("predicted", false);
    c.sla.next_response_breaches = sla.value("next_response_breaches", 0);
    c.sla.update_breaches = sla.value("update_breaches", 0);
    c.replies.awaiting_since = opt_instant(sla, "awaiting_since");
    c.replies.awaiting_breached = sla.value("awaiting_breached", false);
    c.replies.update_from = opt_instant(sla, "update_from");
    c.replies.update_breached = sla.value("update_breached", false);
    c.offences = j.at("offences").get<int>();
    if (const auto& r = j.at("survey_rating"); !r.is_null()) c.survey_rating = r.get<int>();
    c.survey_comment = j.at("survey_comment").get<std::string>();
    c.survey_requested = j.at("survey_requested").get<bool>();
    // Stored beside the record (in its document) before the core numbered messages.
    const auto& extras = j.contains("epoch") ? j : outer;
    c.customer_name = extras.value("customer_name", "");
    c.epoch = extras.at("epoch").get<std::string>();
    c.ticket = opt_string(extras, "ticket");
    c.messages = numbering_from_stored(extras.at("last_seq"), extras.at("recent"));
    return c;
}

json to_stored(const queue::expert& x) {
    return {{"id", x.id},
            {"tenant", x.tenant},
            {"name", x.name},
            {"presence", queue::to_string(x.presence)},
            {"capacity", x.capacity},
            {"skills", x.skills},
            {"granted_skills", x.granted_skills},
            {"narrowed", x.narrowed},
            {"auto_accept", x.auto_accept},
            {"connected", x.connected},
            {"load", x.load},
            {"last_routed_at", ms(x.last_routed_at)},
            {"conversations", x.conversations}};
}

queue::expert expert_from_stored(const json& j) {
    queue::expert x;
    x.id = j.at("id").get<std::string>();
    x.tenant = j.at("tenant").get<std::string>();
    x.name = j.at("name").get<std::string>();
    x.presence = named<queue::presence>(j.at("presence"), queue::parse_presence);
    x.capacity = j.at("capacity").get<int>();
    x.skills = j.at("skills").get<std::set<std::string>>();
    // Absent in records stored before skills came from tokens: what routing used was granted.
    x.granted_skills = j.contains("granted_skills") ? j.at("granted_skills").get<std::set<std::string>>() : x.skills;
    x.narrowed = j.value("narrowed", false);
    x.auto_accept = j.at("auto_accept").get<bool>();
    x.connected = j.at("connected").get<bool>();
    x.load = j.at("load").get<int>();
    x.last_routed_at = at_ms(j.at("last_routed_at"));
    x.conversations = j.at("conversations").get<std::set<std::string>>();
    return x;
}

std::string saved_answer_doc(const saved_answer& a) {
    json j{{"id", a.id}, {"owner", a.owner}, {"title", a.title}, {"text", a.text}, {"shortcut", a.shortcut},
           {"action", a.action}, {"action_minutes", a.action_minutes}, {"updated_by", a.updated_by}, {"updated_at", ms(a.updated_at)},
           {"action_severity", a.action_severity}};
    return j.dump();
}

std::optional<saved_answer> parse_saved_answer_doc(std::string_view text) {
    auto j = json::parse(text, nullptr, false);
    if (!j.is_object()) return std::nullopt;
    try {
        return saved_answer{j.at("id").get<std::string>(),       j.value("owner", ""),
                            j.at("title").get<std::string>(),    j.at("text").get<std::string>(),
                            j.value("shortcut", ""),             j.value("action", ""),
                            j.value("action_minutes", 0),        j.value("updated_by", ""),
                            at_ms(j.value("updated_at", json(0))), j.value("action_severity", 0)};
    } catch (const json::exception&) {
        return std::nullopt;
    }
}

} // namespace chat::server
