#pragma once
// A whole chatd in the test process: its own redis-server in a temporary directory, a
// manual clock the test moves, and helpers to connect customers, experts and monitors.

#include "chat/protocol/iso8601.hpp"
#include "chat/server/auth/token.hpp"
#include "chat/server/chat_server.hpp"

#include "redis_fixture.hpp"
#include "ws_client.hpp"

#include <memory>

namespace chat::test {

inline queue::instant monday_10am() { return *protocol::parse_instant("2026-01-05T10:00:00Z"); }

class server_fixture {
public:
    explicit server_fixture(std::function<void(server::config&)> adjust = {}) {
        cfg_.port = 0;
        cfg_.threads = 2;
        cfg_.data_dir = dir_.path();
        if (adjust) adjust(cfg_);
        start();
    }
    ~server_fixture() { server_.reset(); }

    void start() {
        server_ = std::make_unique<server::chat_server>(cfg_, clock);
        report = server_->start();
        port_ = server_->port();
    }
    // Stops chatd without draining (what is stored stays stored) and starts it again on
    // the same data directory; the embedded Redis restarts from its AOF.
    void restart() {
        server_.reset();
        cfg_.port = port_; // clients reconnect where they were
        start();
    }

    unsigned short port() const { return port_; }
    server::chat_server& server() { return *server_; }
    const server::config& cfg() const { return cfg_; }
    const std::filesystem::path& data_dir() const { return dir_.path(); }

    std::string token(protocol::role role, const std::string& sub, queue::tier tier = queue::tier::standard,
                      const std::string& tenant = "acme", const std::string& region = "") {
        server::identity who{role, sub, tenant, tier, region, sub + " (name)", clock.now() + std::chrono::hours(8), {}};
        return server::mint_token(who, server::token_secret(cfg_));
    }

    // A connected, authenticated client (the welcome frame already read).
    std::unique_ptr<ws_client> connect(protocol::role role, const std::string& sub,
                                       queue::tier tier = queue::tier::standard, const std::string& tenant = "acme") {
        auto c = std::make_unique<ws_client>(port_);
        c->send({{"type", "hello"}, {"token", token(role, sub, tier, tenant)}});
        c->wait_for("welcome");
        return c;
    }
    std::unique_ptr<ws_client> customer(const std::string& sub, queue::tier tier = queue::tier::standard) {
        return connect(protocol::role::customer, sub, tier);
    }
    // An expert, available, with `capacity` (the presence answer already read).
    std::unique_ptr<ws_client> expert(const std::string& sub, int capacity = 3) {
        auto c = connect(protocol::role::expert, sub);
        c->request({{"type", "capacity"}, {"capacity", capacity}});
        c->request({{"type", "presence"}, {"presence", "available"}});
        return c;
    }

    // An expert whose token grants `skills`, available with room for three.
    std::unique_ptr<ws_client> skilled_expert(const std::string& sub, std::vector<std::string> skills,
                                              nlohmann::json* welcome = nullptr) {
        server::identity who{protocol::role::expert, sub, "acme", queue::tier::standard, "", sub + " (name)",
                             clock.now() + std::chrono::hours(8), std::move(skills)};
        auto c = std::make_unique<ws_client>(port_);
        c->send({{"type", "hello"}, {"token", server::mint_token(who, server::token_secret(cfg_))}});
        auto w = c->wait_for("welcome");
        if (welcome) *welcome = w;
        c->request({{"type", "presence"}, {"presence", "available"}});
        return c;
    }

    // Opens a conversation and returns its id.
    static std::string open(ws_client& customer, const std::string& topic, const std::string& text) {
        auto ok = customer.request({{"type", "open"}, {"topic", topic}, {"text", text}});
        if (ok.value("type", "") != "ok") throw std::runtime_error("open refused: " + ok.dump());
        return ok["conversation"];
    }
    // Waits for the offer of `conversation` and accepts it.
    static void accept(ws_client& expert, const std::string& conversation) {
        expert.wait_for("offered", conversation);
        auto ok = expert.request({{"type", "accept"}, {"conversation", conversation}});
        if (ok.value("type", "") != "ok") throw std::runtime_error("accept refused: " + ok.dump());
    }
    static nlohmann::json say(ws_client& who, const std::string& conversation, const std::string& text,
                              const std::string& client_id) {
        return who.request({{"type", "send"}, {"conversation", conversation}, {"text", text}, {"client_id", client_id}});
    }
    // The conversation snapshot that shows `state`.
    static nlohmann::json state(ws_client& who, const std::string& conversation, const std::string& state) {
        return who.wait_for([&](const nlohmann::json& j) {
            return j.value("type", "") == "conversation" && j.value("conversation", "") == conversation &&
                   j.value("state", "") == state;
        });
    }

    // Moves the server's clock and lets what fell due fire.
    void advance(queue::duration d) {
        clock.advance(d);
        server_->node().time_moved();
    }

    server::manual_clock clock{monday_10am()};
    server::hub::start_report report;

private:
    temp_dir dir_;
    server::config cfg_;
    std::unique_ptr<server::chat_server> server_;
    unsigned short port_ = 0;
};

// Ada, an expert, chatting with Alice, a customer, in a conversation she opened on `topic`.
struct chatting {
    std::unique_ptr<ws_client> ada, alice;
    std::string c;
    chatting(server_fixture& f, const std::string& topic, const std::string& text)
        : ada(f.expert("ada")), alice(f.customer("alice")), c(server_fixture::open(*alice, topic, text)) {
        server_fixture::accept(*ada, c);
    }
};

} // namespace chat::test
