// chat-floor-redis: one Redis round trip on the client and socket chatd uses, measured one
// request at a time: PING, and an XADD of a chat-sized entry. Prints JSON.
// usage: chat-floor-redis REDIS_URL [COUNT]

#include "chat/server/redis/client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <thread>
#include <vector>

namespace {

using steady = std::chrono::steady_clock;
using chat::server::redis::client;

// Sends `make(i)` COUNT times, each after the previous answer, and keeps each round trip.
class sequential {
public:
    sequential(std::shared_ptr<client> redis, int count, std::function<std::vector<std::string>(int)> make,
               std::function<void(std::vector<double>)> done)
        : redis_(std::move(redis)), count_(count), make_(std::move(make)), done_(std::move(done)) {}
    void next() {
        if (i_ == count_) return done_(std::move(micros_));
        auto began = steady::now();
        redis_->exec({make_(i_)}, [this, began](std::error_code ec, client::replies r) {
            if (ec || r.empty() || r[0].is_error()) {
                std::cerr << "chat-floor-redis: a request failed\n";
                std::exit(1);
            }
            micros_.push_back(std::chrono::duration<double, std::micro>(steady::now() - began).count());
            ++i_;
            next();
        });
    }

private:
    std::shared_ptr<client> redis_;
    int count_, i_ = 0;
    std::function<std::vector<std::string>(int)> make_;
    std::function<void(std::vector<double>)> done_;
    std::vector<double> micros_;
};

nlohmann::json summary(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))]; };
    double sum = 0;
    for (double x : v) sum += x;
    return {{"count", v.size()}, {"p50_us", at(0.5)}, {"p99_us", at(0.99)}, {"max_us", v.back()},
            {"per_second_one_at_a_time", 1e6 / (sum / static_cast<double>(v.size()))}};
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: chat-floor-redis REDIS_URL [COUNT]\n";
        return 2;
    }
    auto where = chat::server::redis::parse_url(argv[1]);
    if (!where) {
        std::cerr << "chat-floor-redis: bad Redis URL\n";
        return 2;
    }
    int count = argc > 2 ? std::stoi(argv[2]) : 20000;
    boost::asio::io_context io;
    auto redis = std::make_shared<client>(boost::asio::make_strand(io), *where);
    redis->start();
    nlohmann::json out;
    std::string text(120, 'x');
    sequential xadd(redis, count, [&](int) -> std::vector<std::string> {
        return {"XADD", "floor:redis", "*", "from", "customer", "text", text};
    }, [&](std::vector<double> v) {
        out["xadd"] = summary(std::move(v));
        redis->exec({{"DEL", "floor:redis"}}, [&](std::error_code, client::replies) {
            redis->stop();
        });
    });
    sequential ping(redis, count, [](int) -> std::vector<std::string> { return {"PING"}; }, [&](std::vector<double> v) {
        out["ping"] = summary(std::move(v));
        xadd.next();
    });
    redis->on_state_change([&](bool up) {
        if (up) ping.next();
    });
    io.run();
    if (!out.contains("xadd")) return 1;
    std::cout << out.dump() << '\n';
}
