#include "results.hpp"

#include <cstdio>

namespace chat::loadgen {
namespace {

nlohmann::json latency_json(const histogram& h) {
    auto ms = [](std::uint64_t micros) { return static_cast<double>(micros) / 1000.0; };
    return {{"count", h.count()},         {"p50_ms", ms(h.quantile(0.5))},     {"p90_ms", ms(h.quantile(0.9))},
            {"p99_ms", ms(h.quantile(0.99))}, {"p999_ms", ms(h.quantile(0.999))}, {"max_ms", ms(h.max())},
            {"mean_ms", h.mean() / 1000.0}};
}

void latency_row(std::ostream& out, const char* name, const histogram& h) {
    char line[200];
    auto ms = [](std::uint64_t micros) { return static_cast<double>(micros) / 1000.0; };
    std::snprintf(line, sizeof line, "  %-24s %9llu %9.3f %9.3f %9.3f %9.3f %9.3f\n", name,
                  static_cast<unsigned long long>(h.count()), ms(h.quantile(0.5)), ms(h.quantile(0.9)),
                  ms(h.quantile(0.99)), ms(h.quantile(0.999)), ms(h.max()));
    out << line;
}

} // namespace

std::uint64_t results::error_count() const {
    std::uint64_t n = lost + duplicated + out_of_order + connections_failed;
    for (const auto& [code, count] : errors) n += count;
    return n;
}

nlohmann::json to_json(const results& r, const options& o) {
    nlohmann::json errors = nlohmann::json::object();
    for (const auto& [code, count] : r.errors) errors[code] = count;
    return {
        {"target", std::string(name_of(o.target))},
        {"options",
         {{"customers", o.customers},
          {"experts", o.experts},
          {"capacity", o.capacity_per_expert()},
          {"messages", o.messages},
          {"message_bytes", o.message_bytes},
          {"rate", o.rate},
          {"closed_loop", o.rate == 0},
          {"open_rate", o.open_rate},
          {"duration_s", static_cast<double>(o.duration.count()) / 1000.0}}},
        {"connections",
         {{"wanted", r.connections_wanted},
          {"open", r.connections_open},
          {"failed", r.connections_failed},
          {"per_second", r.connections_per_second()},
          {"setup", latency_json(r.connect_setup)}}},
        {"conversations",
         {{"opened", r.opened},
          {"offered", r.offered},
          {"assigned", r.assigned},
          {"closed", r.closed},
          {"open_to_answer", latency_json(r.open_to_answer)},
          {"open_to_offer", latency_json(r.open_to_offer)},
          {"open_to_assigned", latency_json(r.open_to_assigned)},
          {"last_open_to_all_offered_ms", r.last_open_to_all_offered_ms}}},
        {"messages",
         {{"sent", r.sent},
          {"delivered", r.delivered},
          {"per_second", r.messages_per_second()},
          {"exchange_seconds", r.exchange_seconds},
          {"lost", r.lost},
          {"duplicated", r.duplicated},
          {"out_of_order", r.out_of_order},
          {"delivery", latency_json(r.delivery)},
          {"to_expert", latency_json(r.to_expert)},
          {"to_customer", latency_json(r.to_customer)}}},
        {"frames_received", r.frames_received},
        {"bytes_received", r.bytes_received},
        {"errors", errors},
        {"error_count", r.error_count()},
        {"timed_out", r.timed_out},
    };
}

void print_table(std::ostream& out, const results& r, const options& o) {
    char line[256];
    std::snprintf(line, sizeof line, "chat-loadgen: %s, %d customers, %d experts, %s, %d-byte messages\n",
                  std::string(name_of(o.target)).c_str(), o.customers, o.target == target_kind::chatd ? o.experts : o.customers,
                  o.rate > 0 ? ("open loop at " + std::to_string(static_cast<long long>(o.rate)) + " msg/s").c_str() : "closed loop",
                  o.message_bytes);
    out << line;
    std::snprintf(line, sizeof line, "  connections: %llu/%llu open, %llu failed, %.0f per second\n",
                  static_cast<unsigned long long>(r.connections_open), static_cast<unsigned long long>(r.connections_wanted),
                  static_cast<unsigned long long>(r.connections_failed), r.connections_per_second());
    out << line;
    if (r.opened) {
        std::snprintf(line, sizeof line, "  conversations: %llu opened, %llu offered, %llu assigned, %llu closed\n",
                      static_cast<unsigned long long>(r.opened), static_cast<unsigned long long>(r.offered),
                      static_cast<unsigned long long>(r.assigned), static_cast<unsigned long long>(r.closed));
        out << line;
        if (r.last_open_to_all_offered_ms >= 0) {
            std::snprintf(line, sizeof line, "  every conversation offered %.1f ms after the last open\n",
                          r.last_open_to_all_offered_ms);
            out << line;
        }
    }
    std::snprintf(line, sizeof line, "  messages: %llu sent, %llu delivered, %.0f per second over %.2f s\n",
                  static_cast<unsigned long long>(r.sent), static_cast<unsigned long long>(r.delivered),
                  r.messages_per_second(), r.exchange_seconds);
    out << line;
    std::snprintf(line, sizeof line, "  %-24s %9s %9s %9s %9s %9s %9s\n", "latency (ms)", "count", "p50", "p90", "p99",
                  "p99.9", "max");
    out << line;
    latency_row(out, "connection set-up", r.connect_setup);
    if (r.opened) {
        latency_row(out, "open -> answer", r.open_to_answer);
        latency_row(out, "open -> offer", r.open_to_offer);
        latency_row(out, "open -> assigned", r.open_to_assigned);
    }
    latency_row(out, "customer -> expert", r.to_expert);
    latency_row(out, "expert -> customer", r.to_customer);
    latency_row(out, "delivery (both)", r.delivery);
    std::snprintf(line, sizeof line, "  errors: %llu (lost %llu, duplicated %llu, out of order %llu)%s\n",
                  static_cast<unsigned long long>(r.error_count()), static_cast<unsigned long long>(r.lost),
                  static_cast<unsigned long long>(r.duplicated), static_cast<unsigned long long>(r.out_of_order),
                  r.timed_out ? ", TIMED OUT" : "");
    out << line;
    for (const auto& [code, count] : r.errors) out << "    " << code << ": " << count << '\n';
}

} // namespace chat::loadgen
