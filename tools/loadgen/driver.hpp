#pragma once
// One load run: connects experts and customers, opens conversations, exchanges messages at
// the given pace and measures everything from its own send and receive times.

#include "options.hpp"
#include "results.hpp"
#include "ws_peer.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <random>
#include <unordered_map>
#include <vector>

namespace chat::loadgen {

class driver {
public:
    explicit driver(options o);
    // Runs to the end (or the timeout) on the calling thread.
    results run();

private:
    enum class side : std::uint8_t { customer, expert };
    struct conversation {
        int index = 0;
        std::shared_ptr<ws_peer> customer, partner; // partner: the floors' paired connection
        std::string id;                             // chatd's conversation id
        int expert = -1;                            // chatd: who holds it
        steady::time_point connect_began, opened_at, exchange_began;
        bool connected = false, partner_connected = false, offered = false, assigned = false, started = false,
             finished = false, close_sent = false;
        int sent = 0, received = 0;   // both sides
        std::uint32_t sent_by[2] = {0, 0};
        std::uint32_t expected[2] = {1, 1}; // next number expected from each side
        std::unique_ptr<boost::asio::steady_timer> pacer;
    };
    struct expert {
        int index = 0;
        std::shared_ptr<ws_peer> peer;
        steady::time_point connect_began;
        int acks = 0;
        bool welcomed = false;
    };

    void connect_next();
    void connect_expert(int i);
    void connect_customer(int i);
    void connect_partner(int i);
    void connection_up(steady::time_point began);
    void connection_failed(bool was_up, const std::string& why);
    void maybe_all_connected();
    void after_hold();
    void begin_exchange_window();
    void open_next();
    void opening_settled();
    void open(conversation& c);
    void start_exchange(conversation& c);
    double period_seconds() const;
    void schedule(conversation& c, steady::time_point due);
    void send_next(conversation& c, steady::time_point stamp);
    // Handles the frames a scan can read (chat messages, their acks); false: parse in full.
    bool scanned(side receiver, std::string_view frame, steady::time_point at);
    void on_customer_frame(conversation& c, std::string_view frame, steady::time_point at);
    void on_partner_frame(conversation& c, std::string_view frame, steady::time_point at);
    void on_expert_frame(expert& x, std::string_view frame, steady::time_point at);
    void on_chat_text(side receiver, std::string_view text, steady::time_point at);
    void count_error(const std::string& code) { ++r_.errors[code]; }
    void close_conversation(conversation& c);
    void maybe_done();
    void finish_exchange();
    void drain();
    void close_all();
    void progress();
    conversation* by_id(const std::string& id);
    std::string chat_text(const conversation& c, side from, std::uint32_t n, steady::time_point stamp) const;
    std::string token_for(side who, int index) const;

    options o_;
    boost::asio::io_context io_;
    results r_;
    std::vector<conversation> conversations_;
    std::vector<expert> experts_;
    std::unordered_map<std::string, int> by_id_;
    std::string run_id_;
    std::mt19937_64 random_{std::random_device{}()};

    int connect_cursor_ = 0, connections_pending_ = 0, connections_total_ = 0, experts_ready_ = 0;
    int open_cursor_ = 0;
    std::uint64_t closes_sent_ = 0, close_errors_ = 0, open_refused_ = 0;
    bool exchange_started_ = false;
    steady::time_point began_, connect_began_, opens_began_, last_open_, last_offer_, first_send_{}, last_delivery_{},
        drain_until_;
    bool connected_all_ = false, sending_ = true, finished_ = false, partners_ = false;
    boost::asio::steady_timer deadline_, ticker_, phase_, opener_;
    std::uint64_t last_progress_delivered_ = 0;
};

} // namespace chat::loadgen
