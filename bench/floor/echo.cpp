// chat-floor-echo: a bare Beast WebSocket echo server, the floor of a gateway with no logic.
// usage: chat-floor-echo PORT [THREADS]

#include "floor_server.hpp"

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: chat-floor-echo PORT [THREADS]\n";
        return 2;
    }
    auto port = static_cast<unsigned short>(std::stoi(argv[1]));
    int threads = argc > 2 ? std::stoi(argv[2]) : 2;
    boost::asio::io_context io(threads);
    chat::bench::serve(
        port, threads, [](const std::shared_ptr<chat::bench::floor_session>& s, chat::bench::frame_ptr f) { s->send(std::move(f)); },
        {}, io);
}
