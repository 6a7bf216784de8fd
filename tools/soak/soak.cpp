#include "soak.hpp"

#include "../common/cli_args.hpp"
#include "chat/server/auth/token.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>

namespace chat::soak {

using namespace std::chrono_literals;
using nlohmann::json;

const char* usage =
    "usage: chat-soak --targets HOST:PORT[,HOST:PORT...] --secret-file F [--tenant T] [--conversations N]\n"
    "                 [--experts M] [--rate MSG_PER_S] [--duration S] [--settle S] [--record FILE.jsonl] [--run NAME]\n";

options parse_options(const std::vector<std::string>& args) {
    tools::cli_args a(args, {"targets", "secret-file", "tenant", "conversations", "experts", "rate", "duration", "settle",
                             "record", "run"});
    options o;
    for (std::string rest = a.require("targets"); !rest.empty();) {
        auto comma = rest.find(',');
        auto one = rest.substr(0, comma);
        auto colon = one.rfind(':');
        if (colon == std::string::npos) throw tools::usage_error("--targets: HOST:PORT, not '" + one + "'");
        o.targets.emplace_back(one.substr(0, colon), static_cast<unsigned short>(std::stoi(one.substr(colon + 1))));
        rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
    }
    std::ifstream secret(a.require("secret-file"));
    if (!std::getline(secret, o.secret) || o.secret.empty()) throw tools::usage_error("--secret-file: cannot read a secret");
    o.tenant = a.get("tenant").value_or(o.tenant);
    o.conversations = static_cast<int>(a.number("conversations", o.conversations));
    o.experts = static_cast<int>(a.number("experts", std::max(1, o.conversations / 5)));
    o.rate = a.number("rate", o.rate);
    o.duration_s = a.number("duration", o.duration_s);
    o.settle_s = a.number("settle", o.settle_s);
    o.record_path = a.get("record").value_or("");
    o.run = a.get("run").value_or(std::to_string(std::chrono::system_clock::now().time_since_epoch().count() % 1000000000));
    if (o.conversations < 1 || o.experts < 1 || o.rate <= 0) throw tools::usage_error("counts and the rate must be positive");
    return o;
}

runner::runner(options o) : o_(std::move(o)), ticker_(io_) {
    if (!o_.record_path.empty()) {
        out_ = std::make_unique<std::ofstream>(o_.record_path);
        if (!*out_) throw std::runtime_error("cannot write " + o_.record_path);
    }
    auto make = [&](role r, int i, const char* kind, std::size_t target) {
        peer p;
        p.r = r;
        p.index = i;
        p.user = "soak" + o_.run + kind + std::to_string(i);
        p.target = target % o_.targets.size();
        return p;
    };
    for (int i = 0; i < o_.conversations; ++i) customers_.push_back(make(role::customer, i, "-u", static_cast<std::size_t>(i)));
    // Experts sit on another node than the customers beside them.
    for (int i = 0; i < o_.experts; ++i) experts_.push_back(make(role::expert, i, "-x", static_cast<std::size_t>(i) + 1));
}

std::string runner::token(const peer& p) const {
    server::identity id;
    id.role = p.r == role::customer ? protocol::role::customer : protocol::role::expert;
    id.tenant = o_.tenant;
    id.subject = p.user;
    id.name = p.user;
    id.tier = queue::tier::enterprise;
    id.expires_at = std::chrono::time_point_cast<queue::duration>(std::chrono::system_clock::now() + std::chrono::hours(24));
    return server::mint_token(id, o_.secret);
}

void runner::record(const json& line) {
    if (out_) *out_ << line.dump() << '\n';
}

void runner::connect(peer& p) {
    p.welcomed = false;
    auto& [host, port] = o_.targets[p.target];
    peer* self = &p;
    p.ws = std::make_shared<loadgen::ws_peer>(io_, loadgen::ws_peer::handlers{
        {},
        [this, self](std::string_view frame, steady::time_point) { on_frame(*self, frame); },
        [this, self](const std::string&) {
            // Its node is gone (or said goodbye): the next node, after a moment, as clients do.
            self->welcomed = false;
            ++s_.reconnects;
            self->target = (self->target + 1) % o_.targets.size();
            auto timer = std::make_shared<boost::asio::steady_timer>(io_, 200ms);
            timer->async_wait([this, self, timer](boost::system::error_code) { connect(*self); });
        }});
    p.ws->start(host, port, "/ws", token(p));
}

void runner::on_frame(peer& p, std::string_view text) {
    auto j = json::parse(text, nullptr, false);
    if (j.is_discarded()) return;
    auto type = j.value("type", "");
    if (type == "welcome") return on_welcome(p, j);
    if (type == "message") return on_message(p, j);
    if (type == "ok") return on_ok(p, j);
    if (type == "error") return on_error(p, j);
    if (type == "assigned" && p.r == role::expert) return learn(p, j.value("conversation", ""));
    // "reconnect": chatd closes next (SIGTERM); the close is what sends the peer to the next node.
}

void runner::on_welcome(peer& p, const json& j) {
    p.welcomed = true;
    ++p.connection;
    if (p.r == role::expert && p.connection == 1) {
        // Capacity for its share and a little more: conversations spread over the experts.
        auto share = (o_.conversations + o_.experts - 1) / o_.experts + 2;
        for (auto req : {json{{"type", "capacity"}, {"capacity", share}}, json{{"type", "auto_accept"}, {"on", true}},
                         json{{"type", "presence"}, {"presence", "available"}}}) {
            req["id"] = "s" + std::to_string(++p.next_request);
            p.ws->send(req.dump());
        }
    }
    for (const auto& c : j.value("conversations", json::array())) learn(p, c.value("conversation", ""));
    // Resumes what it follows from what it holds, and sends again what was not acknowledged.
    p.to_read.clear();
    p.reading.clear();
    for (auto& [conversation, f] : p.conversations) {
        f.last_on_connection = f.contiguous;
        read_history(p, conversation);
    }
    for (const auto& [client_id, s] : p.pending) {
        ++s_.resent;
        send_request(p, client_id);
    }
    if (p.r == role::customer && p.conversations.empty() && p.pending.empty()) {
        auto client_id = p.user + "-open";
        p.pending[client_id] = {"", "soak " + o_.run + " c" + std::to_string(p.index) + " opening", true};
        ++s_.sent;
        send_request(p, client_id);
    }
}

void runner::learn(peer& p, const std::string& conversation) {
    if (conversation.empty() || p.conversations.count(conversation)) return;
    p.conversations[conversation];
    // What came before it knew of it, as a console opening the conversation reads it.
    read_history(p, conversation);
}

void runner::read_history(peer& p, const std::string& conversation) {
    p.to_read.push_back(conversation);
    next_history(p);
}

void runner::next_history(peer& p) {
    while (p.welcomed && p.reading.size() < 2 && !p.to_read.empty()) {
        auto conversation = p.to_read.front();
        p.to_read.pop_front();
        auto id = "h" + std::to_string(++p.next_request);
        p.reading[id] = conversation;
        auto& f = p.conversations[conversation];
        // Asking for everything after `contiguous` asks for it again: what follows is not a repeat.
        f.last_on_connection = f.contiguous;
        ++f.asking;
        record({{"t", "q"}, {"r", p.user}, {"c", conversation}, {"after", f.contiguous}, {"k", p.connection}});
        p.ws->send(json{{"type", "history"}, {"conversation", conversation}, {"after", f.contiguous}, {"id", id}}.dump());
    }
}

void runner::hold(peer& p, const std::string& conversation, std::uint64_t seq) {
    auto& f = p.conversations[conversation];
    if (seq > f.contiguous) f.held.insert(seq);
    while (f.held.count(f.contiguous + 1)) f.held.erase(++f.contiguous);
}

void runner::on_message(peer& p, const json& j) {
    auto conversation = j.value("conversation", "");
    auto seq = j.value("seq", std::uint64_t{0});
    bool known = p.conversations.count(conversation) > 0;
    auto& f = p.conversations[conversation];
    ++s_.delivered;
    record({{"t", "d"}, {"r", p.user}, {"c", conversation}, {"s", seq}, {"k", p.connection}});
    // Within one connection chatd sends each message once, in order (unless asked again: a
    // replay may repeat what came live between the request and its answer, as the protocol says).
    if (seq <= f.last_on_connection && f.asking == 0) {
        if (seq <= f.contiguous || f.held.count(seq)) ++s_.duplicates;
        else ++s_.out_of_order;
    }
    f.last_on_connection = std::max(f.last_on_connection, seq);
    hold(p, conversation, seq);
    if (!known) read_history(p, conversation); // what came before this one
}

std::string runner::answered_reading(peer& p, std::map<std::string, std::string>::iterator reading) {
    auto conversation = reading->second;
    p.reading.erase(reading);
    auto& f = p.conversations[conversation];
    f.asking = std::max(0, f.asking - 1);
    record({{"t", "qa"}, {"r", p.user}, {"c", conversation}, {"k", p.connection}});
    return conversation;
}

void runner::on_ok(peer& p, const json& j) {
    auto id = j.value("id", "");
    if (auto reading = p.reading.find(id); reading != p.reading.end()) {
        // A history page: the next one while it was full, then the next conversation's.
        auto conversation = answered_reading(p, reading);
        auto& f = p.conversations[conversation];
        if (j.value("seq", std::uint64_t{0}) > f.contiguous + 1000) p.to_read.push_back(conversation);
        return next_history(p);
    }
    auto it = p.pending.find(id);
    if (it == p.pending.end()) return;
    auto conversation = j.value("conversation", "");
    auto seq = j.value("seq", std::uint64_t{0});
    ++s_.acked;
    record({{"t", "a"}, {"c", conversation}, {"id", id}, {"s", seq}, {"from", p.r == role::customer ? "customer" : "expert"},
            {"text", it->second.text}});
    bool opening = it->second.opening;
    p.pending.erase(it);
    if (opening) {
        customer_of_[conversation] = p.index;
        learn(p, conversation);
    }
    hold(p, conversation, seq);
}

void runner::on_error(peer& p, const json& j) {
    auto id = j.value("id", "");
    auto code = j.value("code", "");
    if (auto reading = p.reading.find(id); reading != p.reading.end()) {
        // Refused for now (busy, moving): asked again in a moment.
        auto conversation = answered_reading(p, reading);
        auto connection = p.connection;
        auto timer = std::make_shared<boost::asio::steady_timer>(io_, 500ms);
        peer* self = &p;
        timer->async_wait([this, self, conversation, connection, timer](boost::system::error_code) {
            if (self->connection == connection) read_history(*self, conversation);
        });
        if (code == "unavailable" || code == "rate_limited") return next_history(p);
    }
    if (!p.pending.count(id)) {
        ++s_.errors;
        record({{"t", "e"}, {"r", p.user}, {"id", id}, {"code", code}, {"message", j.value("message", "")}});
        return;
    }
    if (code == "unavailable" || code == "rate_limited") {
        // Not confirmed: sent again (the same client id: stored once) after a moment.
        ++s_.unavailable;
        auto connection = p.connection;
        auto timer = std::make_shared<boost::asio::steady_timer>(io_, 200ms);
        peer* self = &p;
        timer->async_wait([this, self, id, connection, timer](boost::system::error_code) {
            if (self->welcomed && self->connection == connection && self->pending.count(id)) send_request(*self, id);
        });
        return;
    }
    ++s_.errors;
    record({{"t", "e"}, {"r", p.user}, {"id", id}, {"code", code}, {"message", j.value("message", "")}});
    p.pending.erase(id);
}

void runner::send_request(peer& p, const std::string& client_id) {
    if (!p.welcomed) return; // the next welcome sends it
    const auto& s = p.pending.at(client_id);
    json req = s.opening ? json{{"type", "open"}, {"topic", "soak"}, {"text", s.text}}
                         : json{{"type", "send"}, {"conversation", s.conversation}, {"text", s.text}};
    req["client_id"] = client_id;
    req["id"] = client_id;
    p.ws->send(req.dump());
}

void runner::send_one() {
    auto n = customers_.size();
    for (std::size_t tries = 0; tries < 2 * n; ++tries) {
        auto i = cursor_ % n;
        bool expert_side = (cursor_ / n) % 2 == 1;
        ++cursor_;
        auto& customer = customers_[i];
        if (customer.conversations.empty()) continue;
        auto conversation = customer.conversations.begin()->first;
        peer* from = &customer;
        if (expert_side) {
            from = nullptr;
            for (auto& x : experts_)
                if (x.conversations.count(conversation)) from = &x;
        }
        if (!from || !from->welcomed || from->pending.size() >= 5) continue;
        auto n_msg = ++from->next_message;
        auto client_id = from->user + "-" + std::to_string(n_msg);
        from->pending[client_id] = {conversation, "soak " + o_.run + " " + from->user + " " + std::to_string(n_msg), false};
        ++s_.sent;
        send_request(*from, client_id);
        return;
    }
}

bool runner::settled() const {
    std::map<std::string, std::uint64_t> last;
    for (const auto* group : {&customers_, &experts_})
        for (const auto& p : *group) {
            if (!p.pending.empty()) return false;
            for (const auto& [c, f] : p.conversations) last[c] = std::max(last[c], f.contiguous + (f.held.empty() ? 0 : 1));
        }
    for (const auto* group : {&customers_, &experts_})
        for (const auto& p : *group)
            for (const auto& [c, f] : p.conversations)
                if (f.contiguous < last[c] || !f.held.empty()) return false;
    return true;
}

void runner::tick() {
    auto now = steady::now();
    if (now < stop_sending_) {
        credit_ = std::min(credit_ + o_.rate * 0.005, o_.rate);
        while (credit_ >= 1) {
            send_one();
            credit_ -= 1;
        }
    } else if (settled() || now > give_up_) {
        for (auto* group : {&customers_, &experts_})
            for (auto& p : *group)
                if (p.ws) p.ws->close();
        ticker_.expires_after(300ms);
        ticker_.async_wait([this](boost::system::error_code) { io_.stop(); });
        return;
    }
    ticker_.expires_after(5ms);
    ticker_.async_wait([this](boost::system::error_code ec) {
        if (!ec) tick();
    });
}

summary runner::run() {
    began_ = steady::now();
    for (auto& x : experts_) connect(x);
    for (auto& c : customers_) connect(c);
    stop_sending_ = began_ + std::chrono::milliseconds(static_cast<long long>(o_.duration_s * 1000));
    give_up_ = stop_sending_ + std::chrono::milliseconds(static_cast<long long>(o_.settle_s * 1000));
    tick();
    io_.run();
    // What each participant ends up holding, for chat-check.
    for (const auto* group : {&customers_, &experts_})
        for (const auto& p : *group) {
            s_.unacked += p.pending.size();
            for (const auto& [c, f] : p.conversations) record({{"t", "h"}, {"r", p.user}, {"c", c}, {"upto", f.contiguous}});
        }
    record({{"t", "summary"}, {"sent", s_.sent}, {"acked", s_.acked}, {"delivered", s_.delivered}, {"reconnects", s_.reconnects},
            {"resent", s_.resent}, {"unavailable", s_.unavailable}, {"errors", s_.errors}, {"duplicates", s_.duplicates},
            {"out_of_order", s_.out_of_order}, {"unacked", s_.unacked}});
    if (out_) out_->flush();
    return s_;
}

} // namespace chat::soak
