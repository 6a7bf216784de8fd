#pragma once
// Redis Cluster under one client: each command goes to the master of its key's slot, over one
// connection per master (a pipeline is split by master, in order within each; a command
// without a key goes where the one before it went, so a WAIT follows its commit). MOVED
// updates the slot map and resends, ASK resends once with ASKING, TRYAGAIN and CLUSTERDOWN are
// retried shortly; a master's connection failing makes the map be read again (CLUSTER SLOTS).
// chatd never sends a command spanning slots, so this is a router, not a general client.

#include "chat/server/redis/client.hpp"
#include "chat/server/redis/slot_map.hpp"

#include <boost/asio/steady_timer.hpp>

#include <map>

namespace chat::server::redis {

class cluster_routes : public std::enable_shared_from_this<cluster_routes> {
public:
    // Runs on `strand`, as does `state` (up: the slot map is known and every master answers).
    cluster_routes(boost::asio::any_io_executor strand, std::vector<node_address> seeds, client::options opts,
                   std::function<void(bool)> state);
    void start();
    void stop();
    bool connected() const { return up_; }
    // On the strand.
    void exec(std::vector<command> commands, client::handler done);

private:
    struct call;
    void refresh();
    void ask_for_slots(std::vector<node_address> candidates, std::size_t i);
    void on_map(slot_map m);
    std::shared_ptr<client> connection(const node_address& at);
    void send(std::shared_ptr<call> c, std::vector<std::size_t> which, const node_address& to, bool asking);
    void on_replies(std::shared_ptr<call> c, std::vector<std::size_t> which, node_address to, bool asking,
                    std::error_code ec, client::replies r);
    void answered(const std::shared_ptr<call>& c, std::size_t index, value reply);
    void check_up();

    boost::asio::any_io_executor strand_;
    std::vector<node_address> seeds_;
    client::options opts_;
    std::function<void(bool)> state_;
    std::optional<slot_map> map_;
    std::map<std::string, std::shared_ptr<client>> connections_; // by "host:port"
    bool up_ = false, refreshing_ = false, stopped_ = false;
    boost::asio::steady_timer refresh_timer_;
};

} // namespace chat::server::redis
