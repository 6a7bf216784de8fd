#pragma once
// chatd's own redis-server: started on a unix socket in the data directory with AOF
// persistence, supervised (started again whenever it exits), and stopped with chatd (or when
// chatd dies). A lock on the data directory, held by each redis-server child for its whole
// life, keeps two of them from ever running over one AOF.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <filesystem>
#include <string>
#include <sys/types.h>

namespace chat::server::redis {

class embedded_server {
public:
    // Starts redis-server and waits until it accepts connections; throws when it cannot.
    explicit embedded_server(std::filesystem::path data_dir,
                             std::chrono::milliseconds ready_within = std::chrono::seconds(10));
    ~embedded_server();
    embedded_server(const embedded_server&) = delete;
    embedded_server& operator=(const embedded_server&) = delete;

    const std::filesystem::path& socket_path() const { return socket_; }
    pid_t pid() const { return current(); }
    bool running();
    // From now on, a redis-server that exits by itself is started again, with backoff; each
    // event is logged.
    void supervise();
    // Asks it to shut down (it writes its AOF) and waits.
    void stop();
    // Kills it at once, as a crash would (tests).
    void kill();
    // Starts it again after stop() or kill(), on the same directory.
    void restart();

private:
    void launch();
    void wait_ready(pid_t pid, std::chrono::milliseconds within);
    void take_lock();
    void reap_stale();
    void watch();
    pid_t current() const;

    std::filesystem::path dir_;
    std::filesystem::path socket_;
    std::chrono::milliseconds ready_within_;
    int lock_fd_ = -1;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    pid_t pid_ = -1;        // guarded by mutex_
    bool stopping_ = false; // guarded by mutex_
    std::thread supervisor_;
};

} // namespace chat::server::redis
