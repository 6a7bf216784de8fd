#pragma once
// chatd's own redis-server: started on a unix socket in the data directory with AOF
// persistence, supervised, and stopped with chatd (or when chatd dies).

#include <chrono>
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
    pid_t pid() const { return pid_; }
    bool running();
    // Asks it to shut down (it writes its AOF) and waits.
    void stop();
    // Kills it at once, as a crash would (tests).
    void kill();
    // Starts it again after stop() or kill(), on the same directory.
    void restart();

private:
    void launch();
    void wait_ready(std::chrono::milliseconds within);
    void reap_stale();

    std::filesystem::path dir_;
    std::filesystem::path socket_;
    std::chrono::milliseconds ready_within_;
    pid_t pid_ = -1;
};

} // namespace chat::server::redis
