#pragma once
// A real HTTP server standing in for a ticket system: it keeps every request it is sent and
// answers with the status the test chooses. It can go down (nothing listens: connections are
// refused) and come back on the same port.

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace chat::test {

class webhook_receiver {
public:
    struct request {
        std::string target, body;
        std::map<std::string, std::string> headers; // lower-case names
        std::chrono::steady_clock::time_point at{}; // when it was read whole
        std::string header(const std::string& name) const {
            auto it = headers.find(name);
            return it == headers.end() ? std::string() : it->second;
        }
    };

    explicit webhook_receiver(unsigned short port = 0);
    ~webhook_receiver();

    unsigned short port() const;
    std::string url(const std::string& path = "/hooks") const { return "http://127.0.0.1:" + std::to_string(port()) + path; }

    // The status every request is answered with from now on.
    void answer(int status);
    // Requests are kept (and recorded) but not answered until release(): the sender waits.
    void hold();
    void release();
    // Stops listening and drops every connection: deliveries fail to connect.
    void down();
    // Listens again on the same port.
    void up();

    std::vector<request> received() const;
    std::size_t count() const { return received().size(); }
    // Waits until at least `n` requests came (or `limit` passed).
    bool wait_for(std::size_t n, std::chrono::milliseconds limit = std::chrono::seconds(10)) const;

private:
    struct server; // the Asio and Beast parts, kept out of every test's compilation
    std::unique_ptr<server> server_;
};

} // namespace chat::test
