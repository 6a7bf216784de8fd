#pragma once
// A real WebSocket client for integration tests: Beast on its own io_context, with reads
// that give up after a timeout instead of hanging the test.

#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace chat::test {

class ws_client {
public:
    struct options {
        std::optional<std::string> bearer; // Authorization header on the upgrade
        std::string subprotocol = "chat.v1";
        std::string origin;
    };

    explicit ws_client(unsigned short port);
    ws_client(unsigned short port, options opts);
    ~ws_client();

    const std::string& accepted_protocol() const { return accepted_protocol_; }

    void send(const nlohmann::json& j) { send_raw(j.dump()); }
    void send_raw(const std::string& text, bool binary = false);
    // Sends and reports instead of throwing: a frame the server refuses part-way meets a closed socket.
    std::error_code try_send_raw(const std::string& text, bool binary = false);

    // The next frame, or nothing when none came in time (the connection stays usable).
    std::optional<nlohmann::json> next(std::chrono::milliseconds timeout = std::chrono::seconds(5));

    // The first frame (waiting ones first) for which `match` holds; others are kept for later.
    nlohmann::json wait_for(const std::function<bool(const nlohmann::json&)>& match,
                            std::chrono::milliseconds timeout = std::chrono::seconds(5));
    nlohmann::json wait_for(const std::string& type, std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // A frame of `type` about `conversation`.
    nlohmann::json wait_for(const std::string& type, const std::string& conversation,
                            std::chrono::milliseconds timeout = std::chrono::seconds(5));

    // Sends a request with a fresh id and returns its answer (ok, error, pong).
    nlohmann::json request(nlohmann::json req);

    // Whether a frame matching `match` is already waiting or arrives within `within`.
    bool saw(const std::function<bool(const nlohmann::json&)>& match,
             std::chrono::milliseconds within = std::chrono::milliseconds(300));

    bool is_open() const;
    // The kernel's receive buffer (no autotuning): a small one plays a client that stops reading.
    void set_receive_buffer(int bytes);
    std::deque<nlohmann::json>& backlog() { return backlog_; }
    // Every frame this client has received, as the server sent it (for privacy checks).
    const std::vector<std::string>& received() const { return received_; }
    // Reads until the server closes, and gives its close code (0 when it did not close in time).
    int wait_closed(std::chrono::milliseconds timeout = std::chrono::seconds(5));

    void close();

private:
    struct connection; // the Beast stream, kept out of every test's compilation

    std::optional<nlohmann::json> read(std::chrono::milliseconds timeout);
    std::string describe_backlog() const;

    std::unique_ptr<connection> conn_;
    std::deque<nlohmann::json> backlog_;
    std::vector<std::string> received_;
    std::optional<nlohmann::json> ready_;
    bool reading_ = false;
    bool closed_ = false;
    int next_id_ = 0;
    std::string accepted_protocol_;
};

} // namespace chat::test
