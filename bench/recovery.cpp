// chat-bench-recovery: how long chatd takes to come back over thousands of stored
// conversations. Seeds them through real WebSocket clients into chatd with its embedded
// Redis, stops chatd, starts it again on the same data directory (Redis reloads its AOF)
// and times each step; then checks that customers find their conversations whole.

#include "chat/server/auth/token.hpp"
#include "chat/server/chat_server.hpp"

#include "redis_fixture.hpp"
#include "ws_client.hpp"

#include <atomic>
#include <cstdio>
#include <iostream>
#include <thread>

namespace {

using namespace chat;
using steady = std::chrono::steady_clock;

struct options {
    int conversations = 5000;
    int experts = 20;
    int capacity = 5;
    int messages = 3; // per conversation, the opening text included
    int threads = 4;  // seeding clients at once
};

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string flag = argv[i];
        int value = std::stoi(argv[i + 1]);
        if (flag == "--conversations") o.conversations = value;
        else if (flag == "--experts") o.experts = value;
        else if (flag == "--capacity") o.capacity = value;
        else if (flag == "--messages") o.messages = value;
        else if (flag == "--threads") o.threads = value;
        else throw std::invalid_argument("unknown option " + flag);
    }
    if (argc % 2 == 0) throw std::invalid_argument("every option takes a value");
    return o;
}

// PREFIX followed by N. Appended rather than "prefix" + std::to_string(n), on which GCC 12
// warns falsely (PR 105651).
std::string named(const char* prefix, int n) {
    std::string s(prefix);
    s += std::to_string(n);
    return s;
}

double ms_since(steady::time_point t) { return std::chrono::duration<double, std::milli>(steady::now() - t).count(); }

class bench {
public:
    explicit bench(options o) : o_(o) {
        cfg_.port = 0;
        cfg_.data_dir = dir_.path();
        cfg_.hub.max_queue = static_cast<std::size_t>(o.conversations) + 1000;
    }

    void run() {
        start_server();
        auto experts = connect_experts();
        auto seeded = steady::now();
        seed();
        double seed_ms = ms_since(seeded);
        int assigned = accept_offers(experts);
        experts.clear();

        server_.reset(); // what is stored stays stored; nothing is flushed at stop
        auto restarted = steady::now();
        auto report = start_server();
        double restart_ms = ms_since(restarted);
        auto first = customer(0);
        double first_ms = ms_since(restarted);
        int whole = check_customers();

        std::printf("conversations seeded       %8d  in %.0f ms over WebSocket (%d assigned to %d experts)\n",
                    o_.conversations, seed_ms, assigned, o_.experts);
        std::printf("restored                   %8zu conversations, %zu experts, %zu timers\n", report.conversations,
                    report.experts, report.timers);
        std::printf("restart to listening       %8.0f ms  (Redis start and AOF load, state read, core restored)\n",
                    restart_ms);
        std::printf("  of which read + restore  %8lld ms\n", static_cast<long long>(report.took.count()));
        std::printf("restart to first welcome   %8.0f ms\n", first_ms);
        std::printf("customers checked          %8d / 100 found their conversation with all %d messages\n", whole,
                    o_.messages);
        std::printf("{\"conversations\":%d,\"restored\":%zu,\"restart_ms\":%.1f,\"load_ms\":%lld,\"first_welcome_ms\":%.1f,"
                    "\"checked_whole\":%d}\n",
                    o_.conversations, report.conversations, restart_ms, static_cast<long long>(report.took.count()),
                    first_ms, whole);
        if (report.conversations != static_cast<std::size_t>(o_.conversations) || whole != 100)
            throw std::runtime_error("recovery lost conversations");
    }

private:
    server::hub::start_report start_server() {
        server_ = std::make_unique<server::chat_server>(cfg_, clock_);
        auto report = server_->start();
        port_ = server_->port();
        return report;
    }

    std::string token(protocol::role role, const std::string& sub, queue::tier tier) {
        server::identity who{role, sub, "acme", tier, "", sub, clock_.now() + std::chrono::hours(1)};
        return server::mint_token(who, server::token_secret(cfg_));
    }

    // A connected client and the welcome it got.
    struct session {
        std::unique_ptr<test::ws_client> client;
        nlohmann::json welcome;
    };

    session connect(protocol::role role, const std::string& sub, queue::tier tier) {
        auto c = std::make_unique<test::ws_client>(port_);
        c->send({{"type", "hello"}, {"token", token(role, sub, tier)}});
        auto welcome = c->wait_for("welcome");
        return {std::move(c), std::move(welcome)};
    }

    session customer(int i) {
        return connect(protocol::role::customer, named("customer-", i),
                       i % 5 == 0 ? queue::tier::enterprise : queue::tier::standard);
    }

    std::vector<std::unique_ptr<test::ws_client>> connect_experts() {
        std::vector<std::unique_ptr<test::ws_client>> experts;
        for (int i = 0; i < o_.experts; ++i) {
            auto x = connect(protocol::role::expert, named("expert-", i), queue::tier::standard).client;
            x->request({{"type", "capacity"}, {"capacity", o_.capacity}});
            x->request({{"type", "presence"}, {"presence", "available"}});
            experts.push_back(std::move(x));
        }
        return experts;
    }

    // Each customer connects, opens one conversation, adds messages and goes away.
    void seed() {
        std::atomic<int> next{0}, failed{0};
        std::vector<std::thread> workers;
        for (int t = 0; t < o_.threads; ++t)
            workers.emplace_back([&] {
                for (int i = next++; i < o_.conversations; i = next++) {
                    try {
                        auto c = customer(i).client;
                        auto ok = c->request({{"type", "open"},
                                              {"topic", "Topic " + std::to_string(i % 17)},
                                              {"text", named("Question number ", i)},
                                              {"client_id", "o"}});
                        std::string id = ok.at("conversation");
                        for (int m = 2; m <= o_.messages; ++m)
                            c->request({{"type", "send"},
                                        {"conversation", id},
                                        {"text", named("More detail ", m)},
                                        {"client_id", named("m", m)}});
                    } catch (const std::exception& e) {
                        if (failed++ == 0) std::cerr << "seeding: " << e.what() << '\n';
                    }
                }
            });
        for (auto& w : workers) w.join();
        if (failed) throw std::runtime_error(std::to_string(failed.load()) + " conversations could not be seeded");
    }

    int accept_offers(std::vector<std::unique_ptr<test::ws_client>>& experts) {
        int assigned = 0;
        for (auto& x : experts)
            while (auto f = x->next(std::chrono::milliseconds(200)))
                if (f->value("type", "") == "offered") {
                    auto ok = x->request({{"type", "accept"}, {"conversation", (*f)["conversation"]}});
                    assigned += ok.value("type", "") == "ok";
                }
        return assigned;
    }

    // A spread of customers reconnect: each sees its conversation with every message.
    int check_customers() {
        int whole = 0;
        for (int k = 0; k < 100; ++k) {
            int i = static_cast<int>((static_cast<long long>(k) * o_.conversations) / 100);
            auto welcome = customer(i).welcome;
            const auto& list = welcome["conversations"];
            if (list.size() == 1 && list[0].value("last_seq", 0) == o_.messages) ++whole;
        }
        return whole;
    }

    options o_;
    test::temp_dir dir_;
    server::config cfg_;
    server::system_clock clock_;
    std::unique_ptr<server::chat_server> server_;
    unsigned short port_ = 0;
};

} // namespace

int main(int argc, char** argv) {
    try {
        bench(parse(argc, argv)).run();
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "chat-bench-recovery: " << e.what() << '\n';
        return 1;
    }
}
