#include "chat/server/app/clock.hpp"
#include "chat/server/auth/token.hpp"
#include "chat/server/config.hpp"

#include "redis_fixture.hpp"
#include "ws_client.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>

using namespace chat::test;
using namespace std::chrono_literals;
using chat::protocol::role;

namespace {

// The real chatd binary as a child process, on the system clock, with its embedded Redis.
class chatd_process {
public:
    explicit chatd_process(const std::filesystem::path& data_dir, unsigned short port = 0) {
        int out[2];
        REQUIRE(::pipe(out) == 0);
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            ::dup2(out[1], 1);
            ::close(out[0]);
            auto port_text = std::to_string(port);
            ::execl(CHATD_PATH, "chatd", "--data-dir", data_dir.c_str(), "--port", port_text.c_str(), nullptr);
            ::_exit(127);
        }
        ::close(out[1]);
        stdout_ = ::fdopen(out[0], "r");
        char line[1024];
        while (std::fgets(line, sizeof line, stdout_)) {
            std::string text(line);
            output_ += text;
            auto at = text.find("listening on http://");
            if (at == std::string::npos) continue;
            auto colon = text.find(':', at + 20);
            port_ = static_cast<unsigned short>(std::stoi(text.substr(colon + 1)));
            break;
        }
        INFO(output_);
        REQUIRE(port_ != 0);
    }
    ~chatd_process() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            int status = 0;
            ::waitpid(pid_, &status, 0);
        }
        if (stdout_) std::fclose(stdout_);
    }
    unsigned short port() const { return port_; }
    const std::string& output() const { return output_; }
    void kill9() {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
    }
    int terminate() {
        ::kill(pid_, SIGTERM);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

private:
    pid_t pid_ = -1;
    FILE* stdout_ = nullptr;
    std::string output_;
    unsigned short port_ = 0;
};

std::string token(const std::filesystem::path& dir, role r, const std::string& sub) {
    chat::server::config cfg;
    cfg.data_dir = dir;
    chat::server::system_clock clock;
    chat::server::identity who{r, sub, "acme", chat::queue::tier::enterprise, "", sub, clock.now() + 1h, {}};
    return chat::server::mint_token(who, chat::server::token_secret(cfg));
}

std::unique_ptr<ws_client> connect(unsigned short port, const std::string& t) {
    auto c = std::make_unique<ws_client>(port);
    c->send({{"type", "hello"}, {"token", t}});
    c->wait_for("welcome");
    return c;
}

void kill_embedded_redis(const std::filesystem::path& dir) {
    std::ifstream pidfile(dir / "redis" / "redis.pid");
    pid_t pid = -1;
    if (pidfile >> pid && pid > 0) ::kill(pid, SIGKILL);
}

} // namespace

TEST_CASE("kill -9 of chatd and its Redis loses nothing that was acknowledged", "[integration][process]") {
    temp_dir dir;
    std::string c;
    std::uint64_t last_seq = 0;
    unsigned short port = 0;
    {
        chatd_process chatd(dir.path());
        port = chatd.port();
        auto ada = connect(port, token(dir.path(), role::expert, "ada"));
        ada->request({{"type", "presence"}, {"presence", "available"}});
        auto alice = connect(port, token(dir.path(), role::customer, "alice"));
        auto opened = alice->request({{"type", "open"}, {"topic", "billing"}, {"text", "message 1"}});
        REQUIRE(opened["type"] == "ok");
        c = opened["conversation"];
        ada->wait_for("offered", c);
        REQUIRE(ada->request({{"type", "accept"}, {"conversation", c}})["type"] == "ok");
        for (int i = 2; i <= 40; ++i) {
            auto& who = i % 2 ? alice : ada;
            auto ok = who->request({{"type", "send"}, {"conversation", c}, {"text", "message " + std::to_string(i)},
                                    {"client_id", "m" + std::to_string(i)}});
            REQUIRE(ok["type"] == "ok");
            last_seq = ok["seq"];
        }
        chatd.kill9();
        kill_embedded_redis(dir.path());
    }
    chatd_process again(dir.path(), port);
    auto alice = connect(again.port(), token(dir.path(), role::customer, "alice"));
    auto replay = alice->request({{"type", "history"}, {"conversation", c}, {"after", 0}});
    REQUIRE(replay["type"] == "ok");
    CHECK(replay["seq"] == last_seq);
    std::vector<std::string> texts;
    while (auto j = alice->next(300ms))
        if ((*j)["type"] == "message") texts.push_back((*j)["text"]);
    REQUIRE(texts.size() == 40);
    for (int i = 1; i <= 40; ++i) CHECK(texts[static_cast<std::size_t>(i - 1)] == "message " + std::to_string(i));
    // The assignment survived: Ada, back in her grace period, carries on.
    auto ada = connect(again.port(), token(dir.path(), role::expert, "ada"));
    auto next = ada->request({{"type", "send"}, {"conversation", c}, {"text", "still here"}, {"client_id", "after"}});
    CHECK(next["seq"] == last_seq + 1);
}

TEST_CASE("SIGTERM tells clients to reconnect and exits cleanly", "[integration][process]") {
    temp_dir dir;
    chatd_process chatd(dir.path());
    auto alice = connect(chatd.port(), token(dir.path(), role::customer, "alice"));
    std::thread stop([&] { CHECK(chatd.terminate() == 0); });
    CHECK(alice->wait_for("reconnect")["reason"] == "chatd is restarting");
    auto asked = std::chrono::steady_clock::now();
    while (alice->next(1s)) {} // reading on answers chatd's close frame
    CHECK_FALSE(alice->is_open());
    stop.join();
    // Nothing was left to wait for: chatd did not sit out its drain grace period.
    CHECK(std::chrono::steady_clock::now() - asked < 5s);
    // Its Redis was stopped, not killed.
    std::ifstream log(dir.path() / "redis" / "redis.log");
    std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    CHECK_THAT(text, Catch::Matchers::Contains("ready to exit"));
}

namespace {

// Runs chatd with `args` until it exits (killed after `limit`); its exit status and everything it wrote.
} // namespace

TEST_CASE("chatd restarted at once after kill -9 never runs a second Redis over the same data directory",
          "[integration][process]") {
    temp_dir dir;
    unsigned short port = 0;
    for (int round = 0; round < 4; ++round) {
        chatd_process chatd(dir.path(), port);
        port = chatd.port();
        auto alice = connect(port, token(dir.path(), role::customer, "alice"));
        CHECK(alice->request({{"type", "ping"}})["type"] == "pong");
        chatd.kill9(); // its redis-server is told to stop, and takes a moment
    }
    chatd_process last(dir.path(), port);
    // Each redis-server started only after the one before had exited.
    std::ifstream log(dir.path() / "redis" / "redis.log");
    int running = 0, most = 0;
    for (std::string line; std::getline(log, line);) {
        if (line.find("Redis is starting") != std::string::npos) most = std::max(most, ++running);
        if (line.find("ready to exit") != std::string::npos) --running;
    }
    CHECK(most == 1);
}

TEST_CASE("SIGTERM stops chatd promptly even while its Redis is stalled", "[integration][process]") {
    temp_dir dir;
    chatd_process chatd(dir.path());
    auto alice = connect(chatd.port(), token(dir.path(), role::customer, "alice"));
    std::ifstream pidfile(dir.path() / "redis" / "redis.pid");
    pid_t redis = -1;
    pidfile >> redis;
    REQUIRE(redis > 0);
    ::kill(redis, SIGSTOP);
    alice->send({{"type", "open"}, {"topic", "billing"}, {"text", "stuck"}});
    auto asked = std::chrono::steady_clock::now();
    int status = -1;
    std::thread stop([&] { status = chatd.terminate(); });
    while (alice->next(1s)) {} // the client answers chatd's close, as a browser does
    stop.join();
    CHECK(status == 0);
    CHECK(std::chrono::steady_clock::now() - asked < 5s);
    CHECK(::kill(redis, 0) != 0); // its Redis went with it
}
