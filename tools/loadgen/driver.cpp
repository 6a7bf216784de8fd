#include "driver.hpp"

#include "frame_scan.hpp"

#include "chat/server/auth/token.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cstdio>
#include <iostream>

namespace chat::loadgen {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::uint64_t micros_between(steady::time_point from, steady::time_point to) {
    if (to <= from) return 0;
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(to - from).count());
}

double seconds_between(steady::time_point from, steady::time_point to) {
    return std::chrono::duration<double>(to - from).count();
}

template <class... Parts> std::string concat(const Parts&... parts) {
    std::string s;
    (s.append(parts), ...);
    return s;
}

std::string number(long long n) { return std::to_string(n); }

// Reads the next space-separated unsigned number of `text` from `pos`.
std::optional<std::uint64_t> next_number(std::string_view text, std::size_t& pos) {
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(text.data() + pos, text.data() + text.size(), v);
    if (ec != std::errc()) return std::nullopt;
    pos = static_cast<std::size_t>(end - text.data());
    if (pos < text.size() && text[pos] == ' ') ++pos;
    return v;
}

std::string string_field(const json& j, const char* name) {
    auto it = j.find(name);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

} // namespace

driver::driver(options o) : o_(std::move(o)), deadline_(io_), ticker_(io_), phase_(io_), opener_(io_) {
    run_id_ = std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch()).count() % 100000000);
    conversations_.resize(static_cast<std::size_t>(o_.customers));
    for (int i = 0; i < o_.customers; ++i) {
        conversations_[static_cast<std::size_t>(i)].index = i;
        conversations_[static_cast<std::size_t>(i)].pacer = std::make_unique<boost::asio::steady_timer>(io_);
    }
    if (o_.target == target_kind::chatd) {
        experts_.resize(static_cast<std::size_t>(o_.experts));
        for (int i = 0; i < o_.experts; ++i) experts_[static_cast<std::size_t>(i)].index = i;
        connections_total_ = o_.customers + o_.experts;
    } else {
        // A floor's "expert" is a second connection per customer, needed only to talk.
        partners_ = o_.messages > 0;
        connections_total_ = (partners_ ? 2 : 1) * o_.customers;
    }
    r_.connections_wanted = static_cast<std::uint64_t>(connections_total_);
}

std::string driver::token_for(side who, int index) const {
    server::identity id;
    id.role = who == side::customer ? protocol::role::customer : protocol::role::expert;
    id.tenant = o_.tenant;
    id.subject = concat(who == side::customer ? "u" : "x", run_id_, "-", number(index));
    // The customer's name carries its index: offers name the customer, so the expert's side
    // finds the conversation without waiting for the customer's answer.
    id.name = concat(who == side::customer ? "c" : "Expert ", number(index));
    auto share = o_.enterprise_share;
    bool enterprise = std::floor((index + 1) * share) > std::floor(index * share);
    id.tier = enterprise ? queue::tier::enterprise : queue::tier::standard;
    id.expires_at = std::chrono::time_point_cast<queue::duration>(std::chrono::system_clock::now() + 24h);
    return server::mint_token(id, o_.secret);
}

results driver::run() {
    began_ = connect_began_ = steady::now();
    deadline_.expires_after(o_.timeout);
    deadline_.async_wait([this](boost::system::error_code ec) {
        if (ec || finished_) return;
        r_.timed_out = true;
        close_all();
    });
    ticker_.expires_after(1s);
    ticker_.async_wait([this](boost::system::error_code ec) {
        if (!ec) progress();
    });
    if (connections_total_ == 0) maybe_all_connected();
    else connect_next();
    io_.run();
    // The tally: what was sent and never arrived is lost.
    for (const auto& c : conversations_)
        for (int d = 0; d < 2; ++d)
            if (c.sent_by[d] + 1 > c.expected[d]) r_.lost += c.sent_by[d] + 1 - c.expected[d];
    if (first_send_ != steady::time_point{} && last_delivery_ > first_send_)
        r_.exchange_seconds = seconds_between(first_send_, last_delivery_);
    if (r_.opened && r_.offered == r_.opened) r_.last_open_to_all_offered_ms = seconds_between(last_open_, last_offer_) * 1000;
    return std::move(r_);
}

void driver::progress() {
    if (finished_) return;
    if (o_.progress) {
        auto delivered = r_.delivered;
        std::fprintf(stderr, "[%6.1fs] connections %llu/%d  opened %llu  assigned %llu  delivered %llu (%llu/s)  errors %llu\n",
                     seconds_between(began_, steady::now()), static_cast<unsigned long long>(r_.connections_open),
                     connections_total_, static_cast<unsigned long long>(r_.opened),
                     static_cast<unsigned long long>(r_.assigned), static_cast<unsigned long long>(delivered),
                     static_cast<unsigned long long>(delivered - last_progress_delivered_),
                     static_cast<unsigned long long>(r_.error_count()));
        last_progress_delivered_ = delivered;
    }
    ticker_.expires_after(1s);
    ticker_.async_wait([this](boost::system::error_code ec) {
        if (!ec) progress();
    });
}

// --- connecting ---------------------------------------------------------------------------

void driver::connect_next() {
    while (connections_pending_ < o_.connect_window && connect_cursor_ < connections_total_) {
        int n = connect_cursor_++;
        ++connections_pending_;
        if (o_.target == target_kind::chatd) {
            if (n < o_.experts) connect_expert(n);
            else connect_customer(n - o_.experts);
        } else if (!partners_) {
            connect_customer(n);
        } else if (n % 2 == 0) {
            connect_customer(n / 2);
        } else {
            connect_partner(n / 2);
        }
    }
}

void driver::connect_expert(int i) {
    auto& x = experts_[static_cast<std::size_t>(i)];
    x.connect_began = steady::now();
    x.peer = std::make_shared<ws_peer>(
        io_, ws_peer::handlers{{},
                               [this, i](std::string_view f, steady::time_point at) { on_expert_frame(experts_[static_cast<std::size_t>(i)], f, at); },
                               [this, i](const std::string& why) { connection_failed(experts_[static_cast<std::size_t>(i)].welcomed, why); }});
    x.peer->start(o_.host, o_.port, "/ws", token_for(side::expert, i));
}

void driver::connect_customer(int i) {
    auto& c = conversations_[static_cast<std::size_t>(i)];
    c.connect_began = steady::now();
    bool chatd = o_.target == target_kind::chatd;
    ws_peer::handlers h;
    // Floors have no authentication: open is the connection's ready moment.
    if (!chatd) h.open = [this, i] {
        auto& cv = conversations_[static_cast<std::size_t>(i)];
        cv.connected = true;
        connection_up(cv.connect_began);
    };
    h.frame = [this, i](std::string_view f, steady::time_point at) { on_customer_frame(conversations_[static_cast<std::size_t>(i)], f, at); };
    h.failed = [this, i](const std::string& why) { connection_failed(conversations_[static_cast<std::size_t>(i)].connected, why); };
    c.customer = std::make_shared<ws_peer>(io_, std::move(h));
    std::string path = "/ws";
    if (o_.target == target_kind::relay) path = concat("/relay/", number(i), "/customer");
    c.customer->start(o_.host, o_.port, path, chatd ? token_for(side::customer, i) : std::string());
}

void driver::connect_partner(int i) {
    auto& c = conversations_[static_cast<std::size_t>(i)];
    auto began = steady::now();
    ws_peer::handlers h;
    h.open = [this, i, began] {
        conversations_[static_cast<std::size_t>(i)].partner_connected = true;
        connection_up(began);
    };
    h.frame = [this, i](std::string_view f, steady::time_point at) { on_partner_frame(conversations_[static_cast<std::size_t>(i)], f, at); };
    h.failed = [this, i](const std::string& why) { connection_failed(conversations_[static_cast<std::size_t>(i)].partner_connected, why); };
    c.partner = std::make_shared<ws_peer>(io_, std::move(h));
    std::string path = "/ws";
    if (o_.target == target_kind::relay) path = concat("/relay/", number(i), "/expert");
    c.partner->start(o_.host, o_.port, path, {});
}

void driver::connection_up(steady::time_point began) {
    ++r_.connections_open;
    r_.connect_setup.add(micros_between(began, steady::now()));
    --connections_pending_;
    connect_next();
    maybe_all_connected();
}

void driver::connection_failed(bool was_up, const std::string& why) {
    if (finished_) return;
    if (!was_up) {
        ++r_.connections_failed;
        --connections_pending_;
        count_error("connect: " + why);
        connect_next();
        maybe_all_connected();
        return;
    }
    count_error("connection lost: " + why);
}

void driver::maybe_all_connected() {
    if (connected_all_) return;
    if (static_cast<int>(r_.connections_open + r_.connections_failed) < connections_total_) return;
    if (experts_ready_ < static_cast<int>(std::count_if(experts_.begin(), experts_.end(), [](const expert& x) { return x.welcomed; })))
        return;
    connected_all_ = true;
    r_.connect_seconds = seconds_between(connect_began_, steady::now());
    if (o_.progress)
        std::fprintf(stderr, "connected: %llu of %d connections in %.2f s%s\n", static_cast<unsigned long long>(r_.connections_open),
                     connections_total_, r_.connect_seconds, o_.hold.count() ? "; holding them" : "");
    if (o_.hold.count() == 0) return after_hold();
    phase_.expires_after(o_.hold);
    phase_.async_wait([this](boost::system::error_code ec) {
        if (!ec) after_hold();
    });
}

void driver::after_hold() {
    if (finished_) return;
    bool opens = o_.target == target_kind::chatd && o_.open && o_.customers > 0;
    bool floors_talk = o_.target != target_kind::chatd && o_.messages > 0 && o_.customers > 0;
    if (!opens && !floors_talk) return close_all();
    // With openings, this window only bounds waiting for them: it starts again when every
    // conversation is assigned and the exchange begins.
    begin_exchange_window();
    if (opens) return open_next();
    for (auto& c : conversations_)
        if (c.connected && c.partner_connected) start_exchange(c);
        else c.finished = true;
    maybe_done();
}

void driver::begin_exchange_window() {
    phase_.expires_after(o_.duration);
    phase_.async_wait([this](boost::system::error_code ec) {
        if (!ec) finish_exchange();
    });
}

// --- opening (chatd) ----------------------------------------------------------------------

void driver::open_next() {
    if (!sending_) return;
    if (o_.open_rate <= 0) {
        for (auto& c : conversations_) open(c);
        opening_settled();
        return maybe_done();
    }
    if (open_cursor_ >= o_.customers) return;
    open(conversations_[static_cast<std::size_t>(open_cursor_++)]);
    auto gap = std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(1.0 / o_.open_rate));
    opener_.expires_at(opens_began_ + gap * open_cursor_);
    opener_.async_wait([this](boost::system::error_code ec) {
        if (!ec) open_next();
    });
}

// Every conversation is assigned (or refused): the exchange starts for all at once, so that
// the messages measured do not queue behind the openings still being routed.
void driver::opening_settled() {
    if (exchange_started_ || r_.assigned + open_refused_ < static_cast<std::uint64_t>(o_.customers)) return;
    exchange_started_ = true;
    begin_exchange_window();
    for (auto& c : conversations_)
        if (c.assigned) start_exchange(c);
    maybe_done();
}

void driver::open(conversation& c) {
    if (!c.connected) {
        c.finished = true;
        ++open_refused_;
        return;
    }
    auto now = steady::now();
    if (r_.opened == 0) opens_began_ = now;
    ++r_.opened;
    c.opened_at = last_open_ = now;
    auto text = concat("opening ", number(c.index), " ", std::string(static_cast<std::size_t>(o_.message_bytes), 'x'));
    text.resize(static_cast<std::size_t>(o_.message_bytes));
    c.customer->send(concat(R"({"type":"open","id":"o)", number(c.index), R"(","topic":"load test )", number(c.index),
                            R"(","text":")", text, R"(","client_id":"open-)", number(c.index), R"("})"));
}

// --- exchanging ---------------------------------------------------------------------------

std::string driver::chat_text(const conversation& c, side from, std::uint32_t n, steady::time_point stamp) const {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(stamp.time_since_epoch()).count();
    auto text = concat(from == side::customer ? "c " : "e ", number(c.index), " ", number(n), " ", number(ns), " ");
    if (text.size() < static_cast<std::size_t>(o_.message_bytes)) text.resize(static_cast<std::size_t>(o_.message_bytes), 'x');
    return text;
}

void driver::start_exchange(conversation& c) {
    if (c.started || c.finished) return;
    c.started = true;
    c.exchange_began = steady::now();
    if (o_.messages == 0 || !sending_) {
        c.finished = true;
        return maybe_done();
    }
    if (o_.rate <= 0) return send_next(c, c.exchange_began);
    // Open loop: each conversation sends at its share of the rate from a random phase, by the
    // clock and not by the replies, so a slow server cannot slow the offered load.
    std::uniform_real_distribution<double> phase(0, period_seconds());
    schedule(c, c.exchange_began + std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(phase(random_))));
}

double driver::period_seconds() const { return static_cast<double>(o_.customers) / o_.rate; }

void driver::schedule(conversation& c, steady::time_point due) {
    c.pacer->expires_at(due);
    c.pacer->async_wait([this, &c, due](boost::system::error_code ec) {
        if (ec || !sending_ || c.finished) return;
        send_next(c, due);
        if (o_.rate > 0 && c.sent < o_.messages)
            schedule(c, due + std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(period_seconds())));
    });
}

void driver::send_next(conversation& c, steady::time_point stamp) {
    if (!sending_ || c.sent >= o_.messages) return;
    auto from = c.sent % 2 == 0 ? side::customer : side::expert;
    std::shared_ptr<ws_peer> peer = c.customer;
    if (from == side::expert) {
        if (o_.target != target_kind::chatd) peer = c.partner;
        else if (c.expert >= 0) peer = experts_[static_cast<std::size_t>(c.expert)].peer;
        else peer = nullptr;
    }
    if (!peer || (c.id.empty() && o_.target == target_kind::chatd)) {
        count_error("no conversation to send on");
        return;
    }
    auto n = ++c.sent_by[static_cast<int>(from)];
    auto j = c.sent++;
    ++r_.sent;
    if (first_send_ == steady::time_point{}) first_send_ = stamp;
    const std::string& id = o_.target == target_kind::chatd ? c.id : run_id_;
    peer->send(concat(R"({"type":"send","id":"s)", number(c.index), "-", number(j), R"(","conversation":")", id,
                      R"(","text":")", chat_text(c, from, n, stamp), R"(","client_id":"m)", number(j), R"("})"));
}

void driver::on_chat_text(side receiver, std::string_view text, steady::time_point at) {
    if (text.size() < 2 || (text[0] != 'c' && text[0] != 'e') || text[1] != ' ') return; // an opening text
    auto from = text[0] == 'c' ? side::customer : side::expert;
    // The echo floor returns a frame to its sender; chatd and the relay deliver it to the other side.
    bool meant_for_receiver = o_.target == target_kind::echo ? receiver == from : receiver != from;
    if (!meant_for_receiver) return;
    std::size_t pos = 2;
    auto index = next_number(text, pos);
    auto n = next_number(text, pos);
    auto ns = next_number(text, pos);
    if (!index || !n || !ns || *index >= conversations_.size()) return count_error("unreadable chat text");
    auto& c = conversations_[*index];
    auto d = static_cast<int>(from);
    if (*n < c.expected[d]) {
        ++r_.duplicated;
        return;
    }
    if (*n > c.expected[d]) ++r_.out_of_order;
    c.expected[d] = static_cast<std::uint32_t>(*n) + 1;
    auto stamp = steady::time_point(std::chrono::duration_cast<steady::duration>(std::chrono::nanoseconds(*ns)));
    auto micros = micros_between(stamp, at);
    ++r_.delivered;
    r_.delivery.add(micros);
    (from == side::customer ? r_.to_expert : r_.to_customer).add(micros);
    last_delivery_ = at;
    ++c.received;
    if (c.received >= o_.messages) {
        c.finished = true;
        if (o_.target == target_kind::chatd && o_.close) close_conversation(c);
        return maybe_done();
    }
    if (o_.rate > 0 || !sending_) return;
    if (o_.think.count() == 0) return send_next(c, steady::now());
    schedule(c, steady::now() + o_.think);
}

void driver::close_conversation(conversation& c) {
    if (c.close_sent || c.id.empty() || !c.customer) return;
    c.close_sent = true;
    ++closes_sent_;
    c.customer->send(concat(R"({"type":"close","id":"x)", number(c.index), R"(","conversation":")", c.id, R"("})"));
}

void driver::maybe_done() {
    if (!sending_ || finished_) return;
    for (const auto& c : conversations_)
        if (!c.finished) return;
    if (o_.target == target_kind::chatd && o_.open && open_cursor_ < o_.customers && o_.open_rate > 0) return;
    finish_exchange();
}

void driver::finish_exchange() {
    if (!sending_) return;
    sending_ = false;
    opener_.cancel();
    for (auto& c : conversations_) c.pacer->cancel();
    if (o_.target == target_kind::chatd && o_.close)
        for (auto& c : conversations_) close_conversation(c);
    drain_until_ = steady::now() + o_.drain;
    drain();
}

void driver::drain() {
    bool quiet = r_.delivered + r_.duplicated >= r_.sent && r_.closed + close_errors_ >= closes_sent_;
    if (quiet || steady::now() >= drain_until_) return close_all();
    phase_.expires_after(10ms);
    phase_.async_wait([this](boost::system::error_code ec) {
        if (!ec) drain();
    });
}

void driver::close_all() {
    if (finished_) return;
    finished_ = true;
    deadline_.cancel();
    ticker_.cancel();
    phase_.cancel();
    opener_.cancel();
    for (auto& c : conversations_) {
        c.pacer->cancel();
        if (c.customer) c.customer->close();
        if (c.partner) c.partner->close();
    }
    for (auto& x : experts_)
        if (x.peer) x.peer->close();
    // Closing handshakes finish by themselves; a server that does not answer is not waited for.
    phase_.expires_after(2s);
    phase_.async_wait([this](boost::system::error_code) { io_.stop(); });
}

// --- frames -------------------------------------------------------------------------------

driver::conversation* driver::by_id(const std::string& id) {
    auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : &conversations_[static_cast<std::size_t>(it->second)];
}

bool driver::scanned(side receiver, std::string_view frame, steady::time_point at) {
    ++r_.frames_received;
    r_.bytes_received += frame.size();
    if (!is_flat(frame)) return false;
    auto type = flat_string(frame, "type");
    if (type == "message" || type == "send") {
        auto text = flat_string(frame, "text");
        if (!text) return false;
        on_chat_text(receiver, *text, at);
        return true;
    }
    // The answer to a chat message: nothing to learn from it (errors are parsed in full).
    auto id = type == "ok" ? flat_string(frame, "id") : std::nullopt;
    return id && id->starts_with('s');
}

void driver::on_customer_frame(conversation& c, std::string_view frame, steady::time_point at) {
    if (scanned(side::customer, frame, at)) return;
    auto j = json::parse(frame, nullptr, false);
    if (!j.is_object()) return count_error("unreadable frame");
    auto type = string_field(j, "type");
    if (o_.target != target_kind::chatd) {
        if (type == "send") on_chat_text(side::customer, string_field(j, "text"), at);
        return;
    }
    if (type == "message") return on_chat_text(side::customer, string_field(j, "text"), at);
    if (type == "welcome") {
        c.connected = true;
        return connection_up(c.connect_began);
    }
    if (type == "ok") {
        auto id = string_field(j, "id");
        if (id.starts_with('o')) {
            r_.open_to_answer.add(micros_between(c.opened_at, at));
            if (c.id.empty()) {
                c.id = string_field(j, "conversation");
                by_id_[c.id] = c.index;
            }
        } else if (id.starts_with('x')) {
            ++r_.closed;
        }
        return;
    }
    if (type == "assigned") {
        if (c.assigned) return;
        c.assigned = true;
        ++r_.assigned;
        r_.open_to_assigned.add(micros_between(c.opened_at, at));
        return opening_settled();
    }
    if (type == "error") {
        auto id = string_field(j, "id");
        count_error(string_field(j, "code"));
        if (id.starts_with('x')) ++close_errors_;
        if (id.starts_with('o')) {
            c.finished = true;
            ++open_refused_;
            opening_settled();
        }
        return;
    }
    if (type == "duplicate") count_error("duplicate conversation");
}

void driver::on_partner_frame(conversation&, std::string_view frame, steady::time_point at) {
    if (scanned(side::expert, frame, at)) return;
    auto j = json::parse(frame, nullptr, false);
    if (!j.is_object()) return count_error("unreadable frame");
    if (string_field(j, "type") == "send") on_chat_text(side::expert, string_field(j, "text"), at);
}

void driver::on_expert_frame(expert& x, std::string_view frame, steady::time_point at) {
    if (scanned(side::expert, frame, at)) return;
    auto j = json::parse(frame, nullptr, false);
    if (!j.is_object()) return count_error("unreadable frame");
    auto type = string_field(j, "type");
    if (type == "message") return on_chat_text(side::expert, string_field(j, "text"), at);
    if (type == "offered") {
        auto id = string_field(j, "conversation");
        auto name = string_field(j, "customer_name");
        std::size_t pos = 1;
        auto index = name.starts_with('c') ? next_number(name, pos) : std::nullopt;
        if (!index || *index >= conversations_.size()) return count_error("offer of an unknown conversation");
        auto& c = conversations_[*index];
        if (c.id.empty()) {
            c.id = id;
            by_id_[id] = c.index;
        }
        c.expert = x.index;
        if (!c.offered) {
            c.offered = true;
            ++r_.offered;
            r_.open_to_offer.add(micros_between(c.opened_at, at));
            last_offer_ = at;
        }
        x.peer->send(concat(R"({"type":"accept","id":"a)", number(c.index), R"(","conversation":")", id, R"("})"));
        return;
    }
    if (type == "welcome") {
        x.welcomed = true;
        connection_up(x.connect_began);
        x.peer->send(concat(R"({"type":"presence","id":"p)", number(x.index), R"(","presence":"available"})"));
        x.peer->send(concat(R"({"type":"capacity","id":"k)", number(x.index), R"(","capacity":)",
                            number(o_.capacity_per_expert()), "}"));
        return;
    }
    if (type == "ok") {
        auto id = string_field(j, "id");
        if ((id.starts_with('p') || id.starts_with('k')) && ++x.acks == 2) {
            ++experts_ready_;
            maybe_all_connected();
        }
        return;
    }
    if (type == "error") count_error(string_field(j, "code"));
}

} // namespace chat::loadgen
