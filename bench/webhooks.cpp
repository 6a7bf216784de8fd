// chat-bench-webhooks: the webhook outbox against a running chatd (bench/run.mjs starts it with
// one [[webhooks]] endpoint at --receiver-port, where this program listens). Each opening of a
// conversation is one conversation.opened event.
//   latency:    one opening at a time; from the opening's ok (the event is stored by then) to
//               the signed POST arriving whole at the receiver.
//   throughput: the receiver holds its answers while --customers customers of as many tenants
//               (so of several shards) open --events conversations in all; then it answers,
//               and the outbox's backlog drains: events delivered per second from then on.
// The floor, measured in the same run: the same bodies, signed the same way, POSTed one after
// another over one kept connection to the same receiver — what one sender lane could at most do.
// Prints one JSON object.

#include "chat/server/app/clock.hpp"
#include "chat/server/auth/token.hpp"
#include "chat/server/webhooks/signature.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "webhook_receiver.hpp"
#include "ws_client.hpp"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <random>
#include <set>

namespace {

using namespace chat;
using steady = std::chrono::steady_clock;
namespace http = boost::beast::http;

struct options {
    unsigned short port = 0, receiver_port = 0;
    std::string secret_file, hook_secret;
    int events = 2000, customers = 8, latency_samples = 200;
};

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string flag = argv[i], value = argv[i + 1];
        if (flag == "--port") o.port = static_cast<unsigned short>(std::stoi(value));
        else if (flag == "--receiver-port") o.receiver_port = static_cast<unsigned short>(std::stoi(value));
        else if (flag == "--secret-file") o.secret_file = value;
        else if (flag == "--hook-secret") o.hook_secret = value;
        else if (flag == "--events") o.events = std::stoi(value);
        else if (flag == "--customers") o.customers = std::stoi(value);
        else if (flag == "--latency-samples") o.latency_samples = std::stoi(value);
        else throw std::invalid_argument("unknown option " + flag);
    }
    if (!o.port || !o.receiver_port || o.secret_file.empty() || o.hook_secret.empty())
        throw std::invalid_argument("need --port, --receiver-port, --secret-file and --hook-secret");
    return o;
}

double ms_between(steady::time_point a, steady::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); }

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

// Words no two openings share, so that none is taken for a duplicate of another.
std::string unique_text(std::mt19937& rng) {
    std::string out;
    for (int w = 0; w < 3; ++w) {
        if (w) out += ' ';
        for (int i = 0; i < 8; ++i) out += static_cast<char>('a' + rng() % 26);
    }
    return out;
}

std::unique_ptr<test::ws_client> customer(const options& o, const std::string& secret, const std::string& tenant, const std::string& sub) {
    server::identity who{protocol::role::customer, sub, tenant, queue::tier::standard, "", sub,
                         server::system_clock().now() + std::chrono::hours(1), {}};
    auto c = std::make_unique<test::ws_client>(o.port);
    c->send({{"type", "hello"}, {"token", server::mint_token(who, secret)}});
    c->wait_for("welcome");
    return c;
}

bool wait_for_count(const test::webhook_receiver& r, std::size_t n, std::chrono::seconds limit) {
    return r.wait_for(n, std::chrono::duration_cast<std::chrono::milliseconds>(limit));
}

} // namespace

int main(int argc, char** argv) try {
    auto o = parse(argc, argv);
    std::string secret;
    std::getline(std::ifstream(o.secret_file), secret);
    test::webhook_receiver receiver(o.receiver_port);
    std::mt19937 rng(7);

    // Latency: one opening at a time.
    auto lone = customer(o, secret, "bench-latency", "lat");
    std::vector<double> latency;
    std::size_t body_bytes = 0;
    std::string sample_body;
    for (int i = 0; i < o.latency_samples; ++i) {
        auto before = receiver.count();
        auto ok = lone->request({{"type", "open"}, {"topic", "bench"}, {"text", unique_text(rng)}});
        auto acknowledged = steady::now();
        if (ok.value("type", "") != "ok") throw std::runtime_error("open refused: " + ok.dump());
        if (!wait_for_count(receiver, before + 1, std::chrono::seconds(10))) throw std::runtime_error("an event did not arrive in 10 s");
        auto got = receiver.received()[before];
        if (!server::webhooks::signature_matches(o.hook_secret, got.body, got.header("x-chatd-signature")))
            throw std::runtime_error("a delivery's signature does not match");
        latency.push_back(ms_between(acknowledged, got.at));
        body_bytes += got.body.size();
        sample_body = got.body;
    }

    // Throughput: customers of several tenants pipeline their openings.
    std::vector<std::unique_ptr<test::ws_client>> crowd;
    for (int c = 0; c < o.customers; ++c) crowd.push_back(customer(o, secret, "bench-t" + std::to_string(c), "c"));
    auto base = receiver.count();
    receiver.hold();
    auto began = steady::now();
    steady::time_point last_ok = began;
    // In windows, so that no customer falls so far behind reading that chatd disconnects it.
    constexpr int window = 64;
    for (int sent = 0; sent < o.events;) {
        std::vector<int> pending(crowd.size(), 0);
        for (std::size_t c = 0; c < crowd.size() && sent < o.events; ++c)
            for (int k = 0; k < window && sent < o.events; ++k, ++sent, ++pending[c])
                crowd[c]->send({{"type", "open"}, {"topic", "bench"}, {"text", unique_text(rng)}, {"id", "o" + std::to_string(sent)}});
        for (std::size_t c = 0; c < crowd.size(); ++c)
            for (int n = 0; n < pending[c]; ++n) {
                auto j = crowd[c]->wait_for([](const nlohmann::json& f) {
                    auto t = f.value("type", "");
                    return (t == "ok" || t == "error") && f.contains("id");
                }, std::chrono::seconds(60));
                if (j["type"] != "ok") throw std::runtime_error("open refused: " + j.dump());
            }
        last_ok = steady::now();
    }
    auto released = steady::now();
    receiver.release();
    if (!wait_for_count(receiver, base + static_cast<std::size_t>(o.events), std::chrono::seconds(120)))
        throw std::runtime_error("not every event arrived within 120 s");
    auto all = receiver.received();
    auto last_receipt = all.back().at;
    std::set<std::string> ids;
    for (std::size_t i = base; i < all.size(); ++i) ids.insert(all[i].header("x-chatd-delivery"));

    // The floor: the same bodies, signed, POSTed one after another over one kept connection.
    boost::asio::io_context io;
    boost::beast::tcp_stream stream(io);
    stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), o.receiver_port));
    std::vector<double> floor_latency;
    auto floor_began = steady::now();
    for (int i = 0; i < o.events; ++i) {
        auto sent = steady::now();
        http::request<http::string_body> req(http::verb::post, "/floor", 11);
        req.set(http::field::host, "127.0.0.1");
        req.set(http::field::content_type, "application/json");
        req.set("X-Chatd-Delivery", "floor-" + std::to_string(i));
        req.set("X-Chatd-Signature", server::webhooks::signature(o.hook_secret, sample_body));
        req.body() = sample_body;
        req.prepare_payload();
        http::write(stream, req);
        boost::beast::flat_buffer buffer;
        http::response<http::string_body> res;
        http::read(stream, buffer, res);
        floor_latency.push_back(ms_between(sent, steady::now()));
    }
    double floor_s = std::chrono::duration<double>(steady::now() - floor_began).count();

    double delivered_s = std::chrono::duration<double>(last_receipt - released).count();
    double opened_s = std::chrono::duration<double>(last_ok - began).count();
    nlohmann::json out{
        {"events", o.events},
        {"customers", o.customers},
        {"body_bytes", body_bytes / std::max<std::size_t>(1, latency.size())},
        {"latency_p50_ms", percentile(latency, 0.5)},
        {"latency_p99_ms", percentile(latency, 0.99)},
        {"latency_max_ms", percentile(latency, 1.0)},
        {"floor_post_p50_ms", percentile(floor_latency, 0.5)},
        {"delivered_per_s", o.events / delivered_s},
        {"opened_per_s", o.events / opened_s},
        {"drained_in_ms", ms_between(released, last_receipt)},
        {"duplicates", static_cast<std::size_t>(o.events) - ids.size()},
        {"floor_posts_per_s", o.events / floor_s},
        {"ratio", (o.events / delivered_s) / (o.events / floor_s)}};
    std::cout << out.dump() << '\n';
    return 0;
} catch (const std::exception& e) {
    std::cerr << "chat-bench-webhooks: " << e.what() << '\n';
    return 1;
}
