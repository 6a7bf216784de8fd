#pragma once
// What one load run does: the target, the population, the pacing and the bounds.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace chat::loadgen {

// chatd speaks chat.v1; the floors take the same frames: `echo` returns each frame to its
// sender, `relay` stores it in Redis and forwards it to the paired connection.
enum class target_kind { chatd, echo, relay };

struct options {
    target_kind target = target_kind::chatd;
    std::string host = "127.0.0.1";
    unsigned short port = 8080;
    std::string secret;           // chatd: the token secret
    std::string tenant = "bench";

    int customers = 100;
    int experts = 100;            // chatd only; the floors pair one "expert" connection per customer
    int capacity = 0;             // conversations per expert; 0: enough for every customer
    double enterprise_share = 0.2;
    int connect_window = 200;     // handshakes in flight at once

    bool open = true;             // open a conversation per customer (chatd)
    double open_rate = 0;         // opens per second; 0: all at once
    int messages = 20;            // per conversation, alternating customer and expert
    int message_bytes = 120;      // of the chat text
    double rate = 0;              // chat messages per second over all conversations; 0: closed loop
    std::chrono::milliseconds think{0};
    bool close = true;            // customers close their conversation after the last message

    std::chrono::milliseconds duration{std::chrono::seconds(30)}; // the exchange's length at most
    std::chrono::milliseconds hold{0};                            // keep every connection open this long
    std::chrono::milliseconds timeout{std::chrono::seconds(120)}; // the whole run at most
    std::chrono::milliseconds drain{std::chrono::seconds(5)};     // to wait for messages in flight
    std::string json_path;
    bool progress = true;

    int capacity_per_expert() const;
};

// Parses the command line; throws tools::usage_error with a message for the user.
options parse_options(const std::vector<std::string>& args);
extern const char* const usage;

std::string_view name_of(target_kind k);

} // namespace chat::loadgen
