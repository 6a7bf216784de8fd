// chat-check: reads every conversation stream a chat-soak run wrote to and counts what must be
// zero: acknowledged but missing, stored twice, seq gaps, two contents acknowledged under one
// seq, deliveries missing for a participant that stayed to the end, deliveries out of order.

#include "../common/cli_args.hpp"
#include "chat/server/redis/client.hpp"
#include "chat/server/store/shards.hpp"
#include "chat/server/store/store.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <map>
#include <set>

namespace {

using namespace chat;
using nlohmann::json;

const char* usage = "usage: chat-check --redis URL --record FILE.jsonl [--tenant T] [--shards N]\n";
// Markers among the deliveries of a connection: asked again after N, and that answer's ok.
constexpr std::uint64_t restart = std::uint64_t{1} << 63;
constexpr std::uint64_t answered = std::uint64_t{1} << 62;

struct entry {
    std::string client_id, text;
};

// Every message of `conversation`, by seq, read from its stream.
std::map<std::uint64_t, entry> read_stream(server::redis::client& c, boost::asio::io_context& io, const std::string& key) {
    std::optional<server::redis::client::replies> r;
    c.exec({{"XRANGE", key, "-", "+"}}, [&](std::error_code ec, server::redis::client::replies v) {
        if (ec) throw std::runtime_error("Redis: " + ec.message());
        r = std::move(v);
    });
    while (!r) io.run_one();
    std::map<std::uint64_t, entry> out;
    for (const auto& e : r->at(0).elements)
        if (auto m = server::parse_message_entry(e)) out[m->seq] = {m->client_id, m->text};
    return out;
}

} // namespace

int main(int argc, char** argv) {
    try {
        tools::cli_args a({argv + 1, argv + argc}, {"redis", "record", "tenant", "shards"});
        auto where = server::redis::parse_url(a.require("redis"));
        if (!where) throw tools::usage_error("--redis must be redis://host:port/db, unix:///path, redis-sentinel://host:port,.../MASTER or redis-cluster://host:port,...");
        server::shard_map map(static_cast<std::size_t>(a.number("shards", 64)));
        server::shard_keys keys(map.tag(map.shard_of(a.get("tenant").value_or("acme"))));

        std::map<std::pair<std::string, std::uint64_t>, std::set<std::string>> acked; // (c, seq) -> client ids
        std::map<std::pair<std::string, std::string>, std::set<std::uint64_t>> seen;  // (receiver, c) -> seqs held
        std::map<std::tuple<std::string, std::string, int>, std::vector<std::uint64_t>> delivered; // per connection
        std::set<std::pair<std::string, std::string>> stayed;
        std::map<std::string, std::string> author_of_ack; // client id -> sender
        std::set<std::string> conversations;
        std::ifstream in(a.require("record"));
        for (std::string line; std::getline(in, line);) {
            auto j = json::parse(line, nullptr, false);
            if (j.is_discarded()) continue;
            auto t = j.value("t", "");
            auto c = j.value("c", ""), who = j.value("r", "");
            auto seq = j.value("s", std::uint64_t{0});
            if (t == "a") {
                conversations.insert(c);
                auto id = j.value("id", "");
                acked[{c, seq}].insert(id);
                // The sender holds its own message (its ok answered it).
                seen[{id.substr(0, id.rfind('-')), c}].insert(seq);
            } else if (t == "d") {
                seen[{who, c}].insert(seq);
                delivered[{who, c, j.value("k", 0)}].push_back(seq);
            } else if (t == "q") {
                // Asked again for what follows `after`: the order starts over from there.
                delivered[{who, c, j.value("k", 0)}].push_back(restart | j.value("after", std::uint64_t{0}));
            } else if (t == "qa") {
                delivered[{who, c, j.value("k", 0)}].push_back(answered);
            } else if (t == "h") {
                stayed.insert({who, c});
                conversations.insert(c);
            }
        }

        boost::asio::io_context io;
        auto client = std::make_shared<server::redis::client>(boost::asio::make_strand(io), *where);
        client->start();
        for (int i = 0; i < 300 && !client->connected(); ++i) io.run_for(std::chrono::milliseconds(10));
        if (!client->connected()) throw std::runtime_error("cannot reach Redis at " + where->describe());

        std::uint64_t messages = 0, missing = 0, twice = 0, gaps = 0, conflicts = 0, undelivered = 0, out_of_order = 0;
        std::map<std::string, std::map<std::uint64_t, entry>> streams;
        for (const auto& c : conversations) {
            auto& s = streams[c] = read_stream(*client, io, keys.messages(c));
            messages += s.size();
            std::uint64_t expect = 1;
            std::map<std::string, int> ids;
            for (const auto& [seq, e] : s) {
                if (seq != expect) ++gaps;
                expect = seq + 1;
                if (!e.client_id.empty() && ++ids[e.client_id] == 2) ++twice;
            }
        }
        for (const auto& [key, ids] : acked) {
            if (ids.size() > 1) ++conflicts;
            auto& s = streams[key.first];
            auto it = s.find(key.second);
            for (const auto& id : ids)
                if (it == s.end() || it->second.client_id != id) ++missing;
        }
        for (const auto& [who, c] : stayed) {
            const auto& held = seen[{who, c}];
            for (const auto& [seq, e] : streams[c])
                if (!held.count(seq)) ++undelivered;
        }
        for (const auto& [key, seqs] : delivered) {
            // In order and once, but for what a history request asked for again: between the
            // request and its answer, a replay may repeat what came live meanwhile.
            std::uint64_t last = 0;
            int asking = 0;
            for (auto s : seqs) {
                if (s == answered) {
                    asking = std::max(0, asking - 1);
                } else if (s & restart) {
                    last = s & ~restart;
                    ++asking;
                } else {
                    if (s <= last && asking == 0) ++out_of_order;
                    last = std::max(last, s);
                }
            }
        }

        json report{{"conversations", conversations.size()}, {"messages_stored", messages},
                    {"acknowledged", acked.size()}, {"acknowledged_missing", missing}, {"stored_twice", twice},
                    {"seq_gaps", gaps}, {"conflicting_acknowledgements", conflicts},
                    {"deliveries_missing", undelivered}, {"deliveries_out_of_order", out_of_order}};
        std::cout << report.dump(2) << '\n';
        client->stop();
        io.run_for(std::chrono::milliseconds(20));
        return missing + twice + gaps + conflicts + undelivered + out_of_order == 0 ? 0 : 1;
    } catch (const tools::usage_error& e) {
        std::cerr << "chat-check: " << e.what() << '\n' << usage;
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "chat-check: " << e.what() << '\n';
        return 1;
    }
}
