// chat-bench-files: files in the chat against a running chatd (bench/run.mjs starts it). A
// customer and an expert chat over WebSocket; the customer uploads a file of --mib MiB
// --uploads times over HTTP, while chatd's resident memory is read every 2 ms from /proc.
// The floor, measured in the same run on the same machine: the same bytes over loopback TCP
// into a file on the same disk, synced and renamed — what any upload must at least do.
// Prints one JSON object.

#include "chat/server/app/clock.hpp"
#include "chat/server/auth/token.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "ws_client.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

namespace {

using namespace chat;
using steady = std::chrono::steady_clock;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

struct options {
    unsigned short port = 0;
    int pid = 0;
    std::string secret_file;
    std::filesystem::path dir = std::filesystem::temp_directory_path();
    std::size_t mib = 20;
    int uploads = 5;
};

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string flag = argv[i], value = argv[i + 1];
        if (flag == "--port") o.port = static_cast<unsigned short>(std::stoi(value));
        else if (flag == "--pid") o.pid = std::stoi(value);
        else if (flag == "--secret-file") o.secret_file = value;
        else if (flag == "--dir") o.dir = value;
        else if (flag == "--mib") o.mib = std::stoul(value);
        else if (flag == "--uploads") o.uploads = std::stoi(value);
        else throw std::invalid_argument("unknown option " + flag);
    }
    if (!o.port || !o.pid || o.secret_file.empty()) throw std::invalid_argument("need --port, --pid and --secret-file");
    return o;
}

long rss_kib(int pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return 0;
}

// The largest resident size of `pid` while alive, read every 2 ms.
class rss_watch {
public:
    explicit rss_watch(int pid) : thread_([this, pid] {
        while (!done_) {
            peak_ = std::max(peak_.load(), rss_kib(pid));
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    }) {}
    long stop() {
        done_ = true;
        thread_.join();
        return peak_;
    }

private:
    std::atomic<bool> done_{false};
    std::atomic<long> peak_{0};
    std::thread thread_;
};

// A log of `mib` MiB, different in its first line for each `n`.
std::string log_file(std::size_t mib, int n) {
    std::string s = "upload " + std::to_string(n) + "\n";
    const std::string line = "2026-12-07T09:00:00.000Z worker-3 ERROR payment webhook timed out after 30000 ms; retrying\n";
    while (s.size() + line.size() <= mib << 20) s += line;
    s.resize(mib << 20, '\n');
    return s;
}

double seconds_since(steady::time_point t) { return std::chrono::duration<double>(steady::now() - t).count(); }

// One upload to chatd; its time in seconds.
double upload(unsigned short port, const std::string& token, const std::string& conversation, std::string body, int n) {
    boost::asio::io_context io;
    boost::beast::tcp_stream stream(io);
    stream.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    http::request<http::string_body> req(http::verb::post,
                                         "/api/v1/conversations/" + conversation + "/attachments?name=big.log&client_id=b" +
                                             std::to_string(n),
                                         11);
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::authorization, "Bearer " + token);
    req.set(http::field::content_type, "text/plain");
    req.body() = std::move(body);
    req.prepare_payload();
    auto began = steady::now();
    http::write(stream, req);
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    auto took = seconds_since(began);
    if (res.result_int() != 200) throw std::runtime_error("upload refused: " + res.body());
    return took;
}

// The floor: the same bytes over loopback into a file, synced, renamed; acknowledged with a byte.
double floor_upload(const std::filesystem::path& dir, const std::string& body, int n) {
    boost::asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    auto port = acceptor.local_endpoint().port();
    std::thread sink([&] {
        auto s = acceptor.accept();
        auto part = dir / ("floor-" + std::to_string(n) + ".part");
        int fd = ::open(part.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
        std::vector<char> chunk(64 * 1024);
        std::size_t left = body.size();
        while (left) {
            auto got = s.read_some(boost::asio::buffer(chunk.data(), std::min(left, chunk.size())));
            if (::write(fd, chunk.data(), got) != static_cast<ssize_t>(got)) throw std::runtime_error("floor: write failed");
            left -= got;
        }
        ::fsync(fd);
        ::close(fd);
        std::filesystem::rename(part, dir / ("floor-" + std::to_string(n)));
        boost::asio::write(s, boost::asio::buffer("k", 1));
    });
    tcp::socket c(io);
    c.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    auto began = steady::now();
    boost::asio::write(c, boost::asio::buffer(body));
    char ack;
    boost::asio::read(c, boost::asio::buffer(&ack, 1));
    auto took = seconds_since(began);
    sink.join();
    std::filesystem::remove(dir / ("floor-" + std::to_string(n)));
    return took;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

} // namespace

int main(int argc, char** argv) try {
    auto o = parse(argc, argv);
    std::string secret;
    std::getline(std::ifstream(o.secret_file), secret);
    auto token = [&](protocol::role r, const std::string& sub) {
        server::identity who{r, sub, "acme", queue::tier::enterprise, "", sub, server::system_clock().now() + std::chrono::hours(1), {}};
        return server::mint_token(who, secret);
    };
    test::ws_client expert(o.port), customer(o.port);
    expert.send({{"type", "hello"}, {"token", token(protocol::role::expert, "bench-expert")}});
    expert.wait_for("welcome");
    expert.request({{"type", "presence"}, {"presence", "available"}});
    customer.send({{"type", "hello"}, {"token", token(protocol::role::customer, "bench-customer")}});
    customer.wait_for("welcome");
    auto opened = customer.request({{"type", "open"}, {"topic", "logs"}, {"text", "sending the worker's log"}});
    std::string conversation = opened.at("conversation");
    expert.wait_for("offered", conversation);
    expert.request({{"type", "accept"}, {"conversation", conversation}});
    auto customer_token = token(protocol::role::customer, "bench-customer");

    upload(o.port, customer_token, conversation, log_file(o.mib, 0), 0); // warm-up: the disk threads, the allocator
    auto baseline = rss_kib(o.pid);
    std::vector<double> chatd_s, floor_s;
    long peak = 0;
    for (int i = 1; i <= o.uploads; ++i) {
        auto body = log_file(o.mib, i);
        rss_watch watch(o.pid);
        chatd_s.push_back(upload(o.port, customer_token, conversation, body, i));
        peak = std::max(peak, watch.stop());
        expert.wait_for([](const nlohmann::json& j) { return j.value("type", "") == "message" && j.contains("attachment"); },
                        std::chrono::seconds(10));
        floor_s.push_back(floor_upload(o.dir, body, i));
    }
    double mib = static_cast<double>(o.mib);
    nlohmann::json out{{"mib", o.mib},
                       {"uploads", o.uploads},
                       {"chatd_mib_per_s", mib / median(chatd_s)},
                       {"floor_mib_per_s", mib / median(floor_s)},
                       {"ratio", median(floor_s) / median(chatd_s)},
                       {"rss_baseline_kib", baseline},
                       {"rss_peak_kib", peak},
                       {"rss_growth_kib", peak - baseline}};
    std::cout << out.dump() << '\n';
    return 0;
} catch (const std::exception& e) {
    std::cerr << "chat-bench-files: " << e.what() << '\n';
    return 1;
}
