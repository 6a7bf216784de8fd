// chat-bench-line: what an opening costs the conversation core as the waiting line grows
// (an incident brings every customer to the help button and the experts are all busy).
// Opens --conversations into a line nobody can take from, one Enterprise in five, and
// prints the core's time per opening in each tenth of the run, and the time to hand off
// --held conversations at once when their expert is gone, and the core's time per chat message
// with the reply clocks measured against the same without them (the floor); --format json
// prints it as JSON.

#include "chat/queue/core.hpp"

#include "cli_args.hpp"

#include <chrono>
#include <cstdio>
#include <string>

namespace {

using namespace chat;
using clock_type = std::chrono::steady_clock;

double micros_since(clock_type::time_point t0) {
    return std::chrono::duration<double, std::micro>(clock_type::now() - t0).count();
}

queue::opening opening_of(int i) {
    queue::opening o;
    o.id = std::to_string(i);
    o.customer.user = o.id;
    o.id.insert(0, 1, 'c'); // not "c" + …: a false -Wrestrict of GCC 12 at -O3
    o.customer.user.insert(0, 1, 'u');
    o.customer.tenant = "acme";
    o.customer.tier = i % 5 == 0 ? queue::tier::enterprise : queue::tier::standard;
    o.topic = "Billing";
    o.message = "My invoice total is wrong";
    return o;
}

std::size_t queued_events(const queue::outcome& out) {
    std::size_t n = 0;
    for (const auto& e : out.effects)
        if (std::holds_alternative<queue::effect::queued>(e)) ++n;
    return n;
}

// The core's time per chat message, customers and their expert taking turns in 100 active
// conversations, under policy `p`.
double micros_per_message(queue::policy p, int rounds) {
    p.tiers[0].hours.always = true;
    queue::core core(std::move(p));
    auto now = queue::instant{} + std::chrono::hours(24 * 365 * 56);
    queue::expert_profile bo;
    bo.id = "bo";
    bo.tenant = "acme";
    bo.name = "Bo";
    bo.capacity = 100;
    bo.auto_accept = true;
    core.register_expert(bo, now);
    core.set_presence("bo", queue::presence::available, now);
    std::vector<queue::opening> open;
    for (int i = 0; i < 100; ++i) {
        open.push_back(opening_of(i * 5)); // Enterprise
        core.open(open.back(), now);
        core.expert_message("bo", open.back().id, "hello", now);
    }
    auto t0 = clock_type::now();
    for (int r = 0; r < rounds; ++r) {
        const auto& o = open[static_cast<std::size_t>(r % 100)];
        now += std::chrono::milliseconds(1);
        auto asked = core.customer_message(o.id, o.customer, "is the invoice fixed?", "c" + std::to_string(r), now);
        auto answered = core.expert_message("bo", o.id, "a" + std::to_string(r), now);
        if (asked.error || answered.error) {
            std::fprintf(stderr, "a message was refused: %s\n", (asked.error ? asked.error : answered.error).message().c_str());
            std::exit(1);
        }
    }
    return micros_since(t0) / (2.0 * rounds);
}

} // namespace

int main(int argc, char** argv) {
    int conversations = 0, held = 0;
    bool json = false;
    try {
        chat::tools::cli_args cli({argv + 1, argv + argc}, {"conversations", "held", "format"});
        conversations = static_cast<int>(cli.number("conversations", 10000));
        held = static_cast<int>(cli.number("held", 1000));
        auto format = cli.get("format").value_or("table");
        if (conversations < 10) throw chat::tools::usage_error("--conversations must be at least 10");
        if (held < 1) throw chat::tools::usage_error("--held must be at least 1");
        if (format != "json" && format != "table") throw chat::tools::usage_error("--format must be json or table");
        json = format == "json";
    } catch (const chat::tools::usage_error& e) {
        std::fprintf(stderr, "chat-bench-line: %s\nusage: chat-bench-line [--conversations N] [--held H] [--format json|table]\n",
                     e.what());
        return 2;
    }
    queue::policy p;
    p.tiers[0].hours.always = true;
    p.tiers[1].hours.always = true;
    queue::core core(p);
    auto now = queue::instant{} + std::chrono::hours(24 * 365 * 56);

    // Openings into a line with no expert available.
    if (json) std::printf("{\"openings\": [");
    else std::printf("openings into a line with no expert available (%d)\n%12s %14s %14s\n", conversations,
                     "line length", "us / opening", "queued events");
    int tenth = conversations / 10;
    for (int part = 0; part < 10; ++part) {
        auto t0 = clock_type::now();
        std::size_t events = 0;
        for (int i = part * tenth; i < (part + 1) * tenth; ++i) {
            now += std::chrono::milliseconds(1);
            auto out = core.open(opening_of(i), now);
            if (out.error) {
                std::fprintf(stderr, "opening %d refused: %s\n", i, out.error.message().c_str());
                return 1;
            }
            events += queued_events(out);
            // What chatd's timer does: a position pass held back falls due.
            if (auto due = core.next_deadline(); due && *due <= now) events += queued_events(core.advance(now));
        }
        double micros = micros_since(t0) / tenth, per_opening = static_cast<double>(events) / tenth;
        if (json)
            std::printf("%s{\"line\": %d, \"us_per_opening\": %.2f, \"queued_events_per_opening\": %.2f}",
                        part ? ", " : "", (part + 1) * tenth, micros, per_opening);
        else std::printf("%12d %14.1f %14.1f\n", (part + 1) * tenth, micros, per_opening);
    }

    // An expert holding `held` conversations leaves: every one goes back to the line at once.
    queue::expert_profile ada;
    ada.id = "ada";
    ada.tenant = "acme";
    ada.name = "Ada";
    ada.capacity = held;
    ada.auto_accept = true;
    core.register_expert(ada, now);
    // She takes `held` from the head of the line; as many new ones fill it up again.
    core.set_presence("ada", queue::presence::available, now);
    for (int i = 0; i < held; ++i) core.open(opening_of(conversations + i), now);
    core.expert_disconnected("ada", now);
    now += p.disconnect_grace;
    auto t0 = clock_type::now();
    auto out = core.advance(now);
    double millis = micros_since(t0) / 1000;
    if (json)
        std::printf("], \"hand_off\": {\"conversations\": %d, \"line\": %d, \"ms\": %.2f, \"queued_events\": %zu}",
                    held, conversations, millis, queued_events(out));
    else
        std::printf("hand-off of %d conversations into a line of %d when her grace ends: %.1f ms, %zu queued events\n",
                    held, conversations, millis, queued_events(out));

    // Chat messages: the floor without reply clocks, then with a next-response target and an
    // update cadence at every severity (a clock started or stopped on nearly every message).
    constexpr int rounds = 200000;
    double floor = micros_per_message({}, rounds);
    queue::policy clocked;
    clocked.tiers[0].next_response.fill(queue::response_target::wall_clock(std::chrono::minutes(2)));
    clocked.tiers[0].update_every.fill(queue::response_target::wall_clock(std::chrono::minutes(10)));
    double with_clocks = micros_per_message(clocked, rounds);
    if (json)
        std::printf(", \"messages\": {\"us_floor\": %.3f, \"us_with_reply_clocks\": %.3f, \"ratio\": %.2f}}\n", floor,
                    with_clocks, with_clocks / floor);
    else
        std::printf("a chat message: %.2f us without reply clocks, %.2f us with them (%.2fx)\n", floor, with_clocks,
                    with_clocks / floor);
    return 0;
}
