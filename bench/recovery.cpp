// chat-bench-recovery: how long chatd takes to come back over many stored conversations.
// Plays them through the real conversation core (opened, assigned, messages both ways; most
// closed with their survey answered) and stores each as chatd does (the store's write
// batches) in chatd's embedded Redis; then starts chatd on that data directory (Redis
// reloads its AOF), times each step, and checks over WebSocket that customers find their
// open conversations whole.

#include "chat/server/auth/token.hpp"
#include "chat/server/chat_server.hpp"
#include "chat/server/store/functions.hpp"
#include "chat/server/redis/embedded.hpp"
#include "chat/server/store/store.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "redis_fixture.hpp"
#include "ws_client.hpp"

#include <cstdio>
#include <future>
#include <iostream>
#include <thread>

namespace {

using namespace chat;
using steady = std::chrono::steady_clock;

struct options {
    int conversations = 100000; // stored in all
    int open = 10000;           // of which still open; the others closed with their survey
    int experts = 100;
    int messages = 3; // per conversation, the opening text included
    // Rewrite the AOF after seeding, as Redis does by itself whenever its AOF doubles
    // (auto-aof-rewrite-percentage 100): the data then loads from an RDB base, not by
    // replaying every write. 0 measures the worst case: every write replayed.
    bool rewrite_aof = true;
};

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string flag = argv[i];
        int value = std::stoi(argv[i + 1]);
        if (flag == "--conversations") o.conversations = value;
        else if (flag == "--open") o.open = value;
        else if (flag == "--experts") o.experts = value;
        else if (flag == "--messages") o.messages = value;
        else if (flag == "--rewrite-aof") o.rewrite_aof = value != 0;
        else throw std::invalid_argument("unknown option " + flag);
    }
    if (argc % 2 == 0) throw std::invalid_argument("every option takes a value");
    if (o.open > o.conversations || o.experts < 1 || o.open > o.experts * 100 || o.messages < 1 || o.open < 100)
        throw std::invalid_argument("need 100 <= --open <= --conversations, --open <= 100 x --experts, --messages >= 1");
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
        // Every tier served around the clock: the bench is about volume, not business hours.
        for (auto& t : cfg_.policy.tiers) t.hours.always = true;
    }

    void run() {
        auto seeded = steady::now();
        auto stored = seed();
        double seed_ms = ms_since(seeded);

        auto restarted = steady::now();
        auto report = start_server();
        double restart_ms = ms_since(restarted);
        auto first = customer(o_.conversations - 1);
        double first_ms = ms_since(restarted);
        int whole = check_customers();

        std::printf("conversations stored       %8d  (%d open, %d closed) in %.0f ms through the core and the store\n",
                    o_.conversations, o_.open, o_.conversations - o_.open, seed_ms);
        std::printf("Redis commands written     %8zu\n", stored);
        std::printf("restored                   %8zu conversations, %zu experts, %zu timers\n", report.conversations,
                    report.experts, report.timers);
        std::printf("restart to listening       %8.0f ms  (Redis start and AOF load, state read, core restored)\n",
                    restart_ms);
        std::printf("  of which read + restore  %8lld ms\n", static_cast<long long>(report.took.count()));
        std::printf("    of which Redis loading %8lld ms  (chatd waits: Redis answers LOADING)\n",
                    static_cast<long long>(report.redis_loading.count()));
        std::printf("restart to first welcome   %8.0f ms\n", first_ms);
        std::printf("customers checked          %8d / 100 found their conversation with all %d messages\n", whole,
                    o_.messages);
        std::printf("{\"conversations\":%d,\"open\":%d,\"restored\":%zu,\"restart_ms\":%.1f,\"load_ms\":%lld,"
                    "\"redis_loading_ms\":%lld,\"first_welcome_ms\":%.1f,\"checked_whole\":%d,\"aof_rewritten\":%s}\n",
                    o_.conversations, o_.open, report.conversations, restart_ms,
                    static_cast<long long>(report.took.count()), static_cast<long long>(report.redis_loading.count()),
                    first_ms, whole, o_.rewrite_aof ? "true" : "false");
        if (report.conversations != static_cast<std::size_t>(o_.open) || whole != 100)
            throw std::runtime_error("recovery lost conversations");
    }

private:
    server::hub::start_report start_server() {
        server_ = std::make_unique<server::chat_server>(cfg_, clock_);
        auto report = server_->start();
        port_ = server_->port();
        return report;
    }

    static std::string customer_name(int i) { return named("customer-", i); }
    static queue::tier tier_of(int i) { return i % 5 == 0 ? queue::tier::enterprise : queue::tier::standard; }

    // Plays every conversation through the core and stores what chatd would store, in
    // chatd's own Redis (started alone, as chatd starts it). Returns the commands written.
    std::size_t seed() {
        server::redis::embedded_server redis_server(cfg_.data_dir / "redis");
        boost::asio::io_context io;
        auto strand = boost::asio::make_strand(io);
        server::redis::endpoint where;
        where.unix_path = redis_server.socket_path().string();
        auto redis = std::make_shared<server::redis::client>(strand, where);
        // Every conversation is acme's: one shard, written as its owner writes it (fenced, under its lease).
        server::shard_map map(cfg_.cluster.shards);
        server::store store(redis, server::shard_keys(map.tag(map.shard_of("acme"))));
        auto work = boost::asio::make_work_guard(io);
        std::thread runner([&io] { io.run(); });
        redis->start();
        for (int i = 0; i < 200 && !redis->connected(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (!redis->connected()) throw std::runtime_error("the embedded Redis did not come up");
        std::promise<std::int64_t> leased;
        boost::asio::post(strand, [&] {
            redis->exec({server::load_functions()}, [&](std::error_code, server::redis::client::replies) {
                store.take_lease("seeder", std::chrono::milliseconds(600000), "",
                                 [&](std::error_code, std::int64_t epoch, std::string) { leased.set_value(epoch); });
            });
        });
        auto epoch = leased.get_future().get();
        if (epoch == 0) throw std::runtime_error("cannot take acme's shard to seed it");
        store.fence([epoch] { return std::optional<std::int64_t>(epoch); });

        std::size_t written = 0;
        auto commit = [&](server::write_batch& batch) {
            written += batch.size();
            std::promise<std::error_code> done;
            boost::asio::post(strand, [&] { store.commit(std::move(batch), [&](std::error_code ec) { done.set_value(ec); }); });
            if (auto ec = done.get_future().get()) throw std::runtime_error("storing failed: " + ec.message());
            batch = server::write_batch(store.keys());
        };

        queue::policy policy = cfg_.policy;
        policy.track_positions = false; // nobody waits: every opening finds an expert
        queue::core core(policy);
        // The conversations end a minute ago: chatd restarts soon after it stopped, within the
        // experts' grace period (otherwise every expert's conversations are handed off at start).
        auto now = clock_.now() - std::chrono::minutes(1) - std::chrono::milliseconds(o_.conversations);
        for (int e = 0; e < o_.experts; ++e) {
            auto id = "acme/" + named("expert-", e);
            queue::expert_profile profile;
            profile.id = id;
            profile.tenant = "acme";
            profile.name = named("Expert ", e);
            profile.capacity = 100;
            profile.auto_accept = true;
            core.register_expert(profile, now);
            core.set_presence(id, queue::presence::available, now);
        }
        server::write_batch batch(store.keys());
        for (int i = 0; i < o_.conversations; ++i) {
            bool stays_open = i >= o_.conversations - o_.open;
            queue::customer who{"acme", customer_name(i), tier_of(i), ""};
            auto id = named("c", i);
            now += std::chrono::milliseconds(1);
            queue::opening opening;
            opening.id = id;
            opening.customer = who;
            opening.topic = named("Topic ", i % 17);
            opening.message = named("Question number ", i);
            opening.client_id = named("m", 1);
            opening.customer_name = customer_name(i);
            opening.epoch = named("e", i);
            auto opened = core.open(opening, now);
            const auto* c = core.find(id);
            if (!opened || !c || !c->expert) throw std::runtime_error("the core did not assign conversation " + id);
            auto expert = *c->expert;
            for (int m = 1; m <= o_.messages; ++m) {
                bool from_customer = m % 2 == 1;
                // The opening text is message 1, numbered by the open.
                auto out = m == 1            ? opened
                           : from_customer ? core.customer_message(id, who, named("More detail ", m), named("m", m), now)
                                           : core.expert_message(expert, id, named("m", m), now);
                if (out.error) throw std::runtime_error("a message was refused: " + out.error.message());
                auto added = out.first<queue::effect::message_added>();
                if (!added) throw std::runtime_error("a message was not numbered");
                server::stored_message sm{added->seq, from_customer ? queue::party::customer : queue::party::expert,
                                          from_customer ? who.user : expert, from_customer ? customer_name(i) : "Expert",
                                          named("Message ", m), named("m", m), now};
                batch.append(id, sm);
            }
            if (!stays_open) {
                core.expert_close(expert, id, now);
                core.submit_survey(id, who, 5, "", now);
            }
            batch.put(*core.find(id));
            batch.link_customer(who, id);
            if (!stays_open) {
                batch.drop_live(id);
                core.forget(id);
            }
            if (batch.size() >= 5000) commit(batch);
        }
        for (const auto& [id, x] : core.experts()) {
            auto disconnected = core.expert_disconnected(id, now); // chatd stops: nobody stays connected
            (void)disconnected;
            batch.put(*core.find_expert(id));
        }
        for (const auto& t : core.pending_timers()) batch.timer_set(t);
        commit(batch);
        // Given back, so that chatd takes the shard at once.
        std::promise<void> released;
        boost::asio::post(strand, [&] {
            store.release_lease("seeder " + std::to_string(epoch), [&](std::error_code) { released.set_value(); });
        });
        released.get_future().get();
        if (o_.rewrite_aof) rewrite_aof(strand, *redis);

        redis->stop();
        work.reset();
        runner.join();
        redis_server.stop();
        return written;
    }

    // BGREWRITEAOF, then waits until Redis has finished it.
    static void rewrite_aof(boost::asio::any_io_executor strand, server::redis::client& redis) {
        auto ask = [&](std::vector<std::string> command) {
            std::promise<std::string> answer;
            boost::asio::post(strand, [&] {
                redis.exec({std::move(command)}, [&](std::error_code ec, server::redis::client::replies r) {
                    answer.set_value(ec || r.empty() ? std::string("error") : r[0].text);
                });
            });
            return answer.get_future().get();
        };
        ask({"BGREWRITEAOF"});
        for (int i = 0; i < 1200; ++i) {
            auto info = ask({"INFO", "persistence"});
            if (info.find("aof_rewrite_in_progress:0") != std::string::npos &&
                info.find("aof_rewrite_scheduled:0") != std::string::npos)
                return;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        throw std::runtime_error("Redis did not finish rewriting its AOF within a minute");
    }

    std::string token(protocol::role role, const std::string& sub, queue::tier tier) {
        server::identity who{role, sub, "acme", tier, "", sub, clock_.now() + std::chrono::hours(1), {}};
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

    session customer(int i) { return connect(protocol::role::customer, customer_name(i), tier_of(i)); }

    // A spread of the customers with open conversations reconnect: each sees its
    // conversation with every message.
    int check_customers() {
        int whole = 0;
        int first_open = o_.conversations - o_.open;
        for (int k = 0; k < 100; ++k) {
            int i = first_open + static_cast<int>((static_cast<long long>(k) * o_.open) / 100);
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
