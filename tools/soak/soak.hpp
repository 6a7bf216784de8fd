#pragma once
// chat-soak: conversations carried across several chatd nodes while nodes die, as real clients
// carry them. Customers and their experts sit on different nodes; a connection that drops is
// opened again on the next node, resumes every conversation with `history` after the last
// message it holds, and sends again what was not acknowledged (with the same client_id). Every
// acknowledgement and every delivery is recorded (JSON lines) for chat-check.

#include "../loadgen/ws_peer.hpp"

#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include <deque>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <vector>

namespace chat::soak {

using loadgen::steady;

struct options {
    std::vector<std::pair<std::string, unsigned short>> targets;
    std::string secret;
    std::string tenant = "acme";
    int conversations = 100;
    int experts = 10;
    double rate = 200;          // messages per second, all conversations together
    double duration_s = 10;     // of sending; then the run waits for what is in flight
    double settle_s = 10;       // at most, after sending stops
    std::string record_path;    // JSON lines
    std::string run;            // names the users (default: the time)
};

options parse_options(const std::vector<std::string>& args);
extern const char* usage;

// Totals of a run, as the client saw it.
struct summary {
    std::uint64_t sent = 0, acked = 0, delivered = 0, reconnects = 0, resent = 0, unavailable = 0, errors = 0,
                  duplicates = 0, out_of_order = 0, unacked = 0;
};

class runner {
public:
    explicit runner(options o);
    summary run();

private:
    enum class role : std::uint8_t { customer, expert };
    struct pending_send {
        std::string conversation, text;
        bool opening = false;
    };
    struct followed {
        std::uint64_t contiguous = 0; // every seq up to it is held (delivered, or its own)
        std::uint64_t last_on_connection = 0;
        int asking = 0; // history requests in flight: a replay may repeat what came live meanwhile
        std::set<std::uint64_t> held; // beyond contiguous
    };
    struct peer {
        role r;
        int index = 0;
        std::string user;
        std::shared_ptr<loadgen::ws_peer> ws;
        std::size_t target = 0;
        bool welcomed = false;
        int connection = 0;
        std::map<std::string, followed> conversations; // by conversation id
        std::map<std::string, pending_send> pending;   // by client id
        std::uint32_t next_message = 0;
        std::uint64_t next_request = 0;
        std::deque<std::string> to_read;                    // conversations whose history to ask for
        std::map<std::string, std::string> reading;         // history request id -> conversation
    };

    void connect(peer& p);
    void on_frame(peer& p, std::string_view text);
    void on_welcome(peer& p, const nlohmann::json& j);
    void on_message(peer& p, const nlohmann::json& j);
    // A history request answered: forgotten, recorded; its conversation.
    std::string answered_reading(peer& p, std::map<std::string, std::string>::iterator reading);
    void on_ok(peer& p, const nlohmann::json& j);
    void on_error(peer& p, const nlohmann::json& j);
    void learn(peer& p, const std::string& conversation);
    // History requests, two at a time (a client that floods is refused and closed).
    void read_history(peer& p, const std::string& conversation);
    void next_history(peer& p);
    void hold(peer& p, const std::string& conversation, std::uint64_t seq);
    void send_request(peer& p, const std::string& client_id);
    void tick();
    void send_one();
    void record(const nlohmann::json& line);
    std::string token(const peer& p) const;
    bool settled() const;

    options o_;
    boost::asio::io_context io_;
    std::vector<peer> customers_, experts_;
    std::map<std::string, int> customer_of_; // conversation -> customer index
    boost::asio::steady_timer ticker_;
    steady::time_point began_, stop_sending_, give_up_;
    double credit_ = 0;
    std::size_t cursor_ = 0;
    summary s_;
    std::unique_ptr<std::ostream> out_;
};

} // namespace chat::soak
