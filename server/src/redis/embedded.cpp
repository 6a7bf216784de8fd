#include "chat/server/redis/embedded.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace chat::server::redis {
namespace {

bool can_connect(const std::filesystem::path& socket_path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, socket_path.c_str(), sizeof(addr.sun_path) - 1);
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    ::close(fd);
    return ok;
}

bool alive(pid_t pid) { return pid > 0 && ::kill(pid, 0) == 0; }

} // namespace

embedded_server::embedded_server(std::filesystem::path data_dir, std::chrono::milliseconds ready_within)
    : dir_(std::filesystem::absolute(data_dir)), socket_(dir_ / "redis.sock"), ready_within_(ready_within) {
    std::filesystem::create_directories(dir_);
    if (socket_.native().size() >= sizeof(sockaddr_un{}.sun_path))
        throw std::runtime_error("the data directory path is too long for a unix socket: " + dir_.string());
    reap_stale();
    launch();
}

embedded_server::~embedded_server() { stop(); }

void embedded_server::reap_stale() {
    // A redis-server left by a chatd that was killed may still be shutting down.
    std::ifstream pidfile(dir_ / "redis.pid");
    pid_t old = -1;
    if (pidfile >> old && alive(old)) {
        ::kill(old, SIGTERM);
        for (int i = 0; i < 200 && alive(old); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (alive(old)) ::kill(old, SIGKILL);
    }
    std::error_code ignored;
    std::filesystem::remove(socket_, ignored);
}

void embedded_server::launch() {
    std::vector<std::string> args = {
        "redis-server",
        "--port", "0",
        "--unixsocket", socket_.string(),
        "--unixsocketperm", "700",
        "--dir", dir_.string(),
        "--pidfile", (dir_ / "redis.pid").string(),
        "--logfile", (dir_ / "redis.log").string(),
        "--daemonize", "no",
        "--appendonly", "yes",
        "--appendfsync", "everysec",
        "--maxmemory-policy", "noeviction",
        "--save", "",
    };
    pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("cannot fork redis-server");
    if (pid_ == 0) {
        // When chatd dies, however it dies, its redis-server shuts down cleanly.
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent) ::_exit(1);
        ::setpgid(0, 0);
        // chatd blocks SIGTERM for sigwait; a blocked mask survives exec, and Redis must hear it.
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        int devnull = ::open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            ::dup2(devnull, 0);
            ::dup2(devnull, 1);
        }
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execvp("redis-server", argv.data());
        ::_exit(127);
    }
    wait_ready(ready_within_);
}

void embedded_server::wait_ready(std::chrono::milliseconds within) {
    auto until = std::chrono::steady_clock::now() + within;
    while (std::chrono::steady_clock::now() < until) {
        if (can_connect(socket_)) return;
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            throw std::runtime_error("redis-server exited at start; see " + (dir_ / "redis.log").string());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill();
    throw std::runtime_error("redis-server did not accept connections within " +
                             std::to_string(within.count()) + " ms");
}

bool embedded_server::running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) pid_ = -1;
    return pid_ > 0;
}

void embedded_server::stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 400; ++i) {
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    kill();
}

void embedded_server::kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
}

void embedded_server::restart() {
    stop();
    reap_stale();
    launch();
}

} // namespace chat::server::redis
