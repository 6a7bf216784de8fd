#include "chat/server/redis/embedded.hpp"

#include "chat/server/log.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace chat::server::redis {
namespace {

using namespace std::chrono_literals;

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

std::string describe_exit(int status) {
    if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return std::string("was killed by signal ") + ::strsignal(WTERMSIG(status));
    return "stopped";
}

bool try_lock(int fd) { return ::flock(fd, LOCK_EX | LOCK_NB) == 0; }

} // namespace

embedded_server::embedded_server(std::filesystem::path data_dir, std::chrono::milliseconds ready_within)
    : dir_(std::filesystem::absolute(data_dir)), socket_(dir_ / "redis.sock"), ready_within_(ready_within) {
    std::filesystem::create_directories(dir_);
    if (socket_.native().size() >= sizeof(sockaddr_un{}.sun_path))
        throw std::runtime_error("the data directory path is too long for a unix socket: " + dir_.string());
    take_lock();
    reap_stale();
    launch();
}

embedded_server::~embedded_server() {
    stop();
    if (lock_fd_ >= 0) ::close(lock_fd_);
}

pid_t embedded_server::current() const {
    std::lock_guard lock(mutex_);
    return pid_;
}

void embedded_server::take_lock() {
    // Not close-on-exec: every redis-server child inherits the locked file and holds the lock
    // until it exits, even when chatd itself was killed first.
    lock_fd_ = ::open((dir_ / "lock").c_str(), O_RDWR | O_CREAT, 0600);
    if (lock_fd_ < 0) throw std::runtime_error("cannot open " + (dir_ / "lock").string() + ": " + std::strerror(errno));
    if (try_lock(lock_fd_)) return;
    // The redis-server of a chatd that was killed is still shutting down (or another chatd runs here).
    std::ifstream pidfile(dir_ / "redis.pid");
    pid_t old = -1;
    pidfile >> old;
    log("waiting for the redis-server of an earlier chatd (pid ", old, ") to leave ", dir_.string());
    if (old > 0) ::kill(old, SIGTERM);
    for (int i = 0; i < 200; ++i) {
        if (try_lock(lock_fd_)) return;
        std::this_thread::sleep_for(50ms);
    }
    if (old > 0 && alive(old)) ::kill(old, SIGKILL);
    for (int i = 0; i < 100; ++i) {
        if (try_lock(lock_fd_)) return;
        std::this_thread::sleep_for(50ms);
    }
    throw std::runtime_error("another process holds " + (dir_ / "lock").string() +
                             ": is another chatd running on this data directory?");
}

void embedded_server::reap_stale() {
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
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("cannot fork redis-server");
    if (pid == 0) {
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
    {
        std::lock_guard lock(mutex_);
        pid_ = pid;
    }
    wait_ready(pid, ready_within_);
}

void embedded_server::wait_ready(pid_t pid, std::chrono::milliseconds within) {
    auto until = std::chrono::steady_clock::now() + within;
    while (std::chrono::steady_clock::now() < until) {
        if (can_connect(socket_)) return;
        // The thread that reaps is the caller, unless a watcher runs and this is another thread.
        int status = 0;
        bool reaper = !supervisor_.joinable() || std::this_thread::get_id() == supervisor_.get_id();
        bool exited = reaper ? ::waitpid(pid, &status, WNOHANG) == pid : current() != pid;
        if (exited) {
            std::lock_guard lock(mutex_);
            if (pid_ == pid) pid_ = -1;
            throw std::runtime_error("redis-server exited at start; see " + (dir_ / "redis.log").string());
        }
        std::this_thread::sleep_for(20ms);
    }
    kill();
    throw std::runtime_error("redis-server did not accept connections within " + std::to_string(within.count()) + " ms");
}

void embedded_server::supervise() {
    if (supervisor_.joinable()) return;
    supervisor_ = std::thread([this] { watch(); });
}

void embedded_server::watch() {
    auto backoff = 250ms;
    for (;;) {
        pid_t pid = current();
        if (pid <= 0) {
            // Nothing runs (a start failed): try again after the backoff, unless stopping.
            std::unique_lock lock(mutex_);
            if (changed_.wait_for(lock, backoff, [&] { return stopping_; })) return;
        } else {
            int status = 0;
            if (::waitpid(pid, &status, 0) != pid) {
                if (errno == EINTR) continue;
                return;
            }
            std::unique_lock lock(mutex_);
            pid_ = -1;
            changed_.notify_all();
            if (stopping_) return;
            log("embedded redis-server (pid ", pid, ") ", describe_exit(status), "; starting it again in ", backoff.count(), " ms");
            if (changed_.wait_for(lock, backoff, [&] { return stopping_; })) return;
        }
        try {
            launch();
            log("embedded redis-server running again (pid ", current(), ")");
            backoff = 250ms;
            std::lock_guard lock(mutex_);
            if (stopping_ && pid_ > 0) ::kill(pid_, SIGTERM); // stop() came during the start
        } catch (const std::exception& e) {
            log("embedded redis-server did not start: ", e.what());
            backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
        }
    }
}

bool embedded_server::running() {
    if (supervisor_.joinable()) return current() > 0;
    std::lock_guard lock(mutex_);
    if (pid_ <= 0) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) pid_ = -1;
    return pid_ > 0;
}

void embedded_server::stop() {
    if (supervisor_.joinable()) {
        pid_t pid;
        {
            std::unique_lock lock(mutex_);
            stopping_ = true;
            pid = pid_;
            if (pid > 0) {
                ::kill(pid, SIGTERM);
                ::kill(pid, SIGCONT); // a stopped (SIGSTOP) Redis must run to hear it
            }
            changed_.notify_all();
            // It writes its AOF and exits; the watcher reaps it.
            if (!changed_.wait_for(lock, 10s, [&] { return pid_ != pid || pid <= 0; }) && pid > 0) ::kill(pid, SIGKILL);
        }
        supervisor_.join();
        std::lock_guard lock(mutex_);
        stopping_ = false;
        return;
    }
    pid_t pid = current();
    if (pid <= 0) return;
    ::kill(pid, SIGTERM);
    ::kill(pid, SIGCONT);
    int status = 0;
    for (int i = 0; i < 400; ++i) {
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            std::lock_guard lock(mutex_);
            pid_ = -1;
            return;
        }
        std::this_thread::sleep_for(25ms);
    }
    kill();
}

void embedded_server::kill() {
    pid_t pid = current();
    if (pid <= 0) return;
    ::kill(pid, SIGKILL);
    if (supervisor_.joinable()) return; // the watcher reaps it (and starts another)
    int status = 0;
    ::waitpid(pid, &status, 0);
    std::lock_guard lock(mutex_);
    pid_ = -1;
}

void embedded_server::restart() {
    stop();
    reap_stale();
    launch();
}

} // namespace chat::server::redis
