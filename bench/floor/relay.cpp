// chat-floor-relay: a minimal store-and-forward relay, the floor of chatd with no chat logic.
// A connection to /relay/N/customer is paired with /relay/N/expert; each frame one of them
// sends is appended to a Redis stream (XADD, on the same client chatd uses) and, once
// Redis has it, forwarded to the other.
// usage: chat-floor-relay PORT REDIS_URL [THREADS]

#include "floor_server.hpp"

#include "chat/server/redis/client.hpp"

#include <mutex>
#include <unordered_map>

namespace {

using chat::bench::floor_session;
using chat::bench::frame_ptr;

// The two sides of each pair, by pair number.
class pairs {
public:
    void join(int pair, bool customer, const std::shared_ptr<floor_session>& s) {
        std::lock_guard lock(mutex_);
        auto& p = pairs_[pair];
        (customer ? p.first : p.second) = s;
        sides_[s.get()] = {pair, customer};
    }
    // The pair number of `s` and the session on the other side, if it is there.
    std::pair<int, std::shared_ptr<floor_session>> other(const floor_session* s) {
        std::lock_guard lock(mutex_);
        auto it = sides_.find(s);
        if (it == sides_.end()) return {-1, nullptr};
        auto& p = pairs_[it->second.first];
        return {it->second.first, (it->second.second ? p.second : p.first).lock()};
    }

private:
    std::mutex mutex_;
    std::unordered_map<int, std::pair<std::weak_ptr<floor_session>, std::weak_ptr<floor_session>>> pairs_;
    std::unordered_map<const floor_session*, std::pair<int, bool>> sides_;
};

} // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: chat-floor-relay PORT REDIS_URL [THREADS]\n";
        return 2;
    }
    auto port = static_cast<unsigned short>(std::stoi(argv[1]));
    auto where = chat::server::redis::parse_url(argv[2]);
    if (!where) {
        std::cerr << "chat-floor-relay: bad Redis URL " << argv[2] << '\n';
        return 2;
    }
    int threads = argc > 3 ? std::stoi(argv[3]) : 2;
    boost::asio::io_context io(threads);
    auto strand = boost::asio::make_strand(io);
    auto redis = std::make_shared<chat::server::redis::client>(strand, *where);
    redis->start();
    pairs registry;

    auto on_open = [&registry](const std::shared_ptr<floor_session>& s, const std::string& target) {
        // /relay/N/customer or /relay/N/expert
        auto rest = target.substr(target.find("/relay/") == 0 ? 7 : target.size());
        auto slash = rest.find('/');
        if (slash == std::string::npos) return;
        registry.join(std::stoi(rest.substr(0, slash)), rest.substr(slash + 1) == "customer", s);
    };
    auto on_frame = [&registry, redis, strand](const std::shared_ptr<floor_session>& s, frame_ptr f) {
        boost::asio::post(strand, [&registry, redis, s, f = std::move(f)] {
            auto [pair, _] = registry.other(s.get());
            if (pair < 0) return;
            redis->exec({{"XADD", "floor:{" + std::to_string(pair) + "}", "*", "m", *f}},
                        [&registry, s, f](std::error_code ec, chat::server::redis::client::replies r) {
                            if (ec || r.empty() || r[0].is_error()) {
                                std::cerr << "chat-floor-relay: XADD failed\n";
                                return;
                            }
                            if (auto other = registry.other(s.get()).second) other->send(f);
                        });
        });
    };
    chat::bench::serve(port, threads, on_frame, on_open, io);
    redis->stop();
}
