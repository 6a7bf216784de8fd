// chatd: the live-chat server. Wires the configuration to chat_server and waits for a signal.

#include "chat/server/chat_server.hpp"

#include <csignal>
#include <iostream>

int main(int argc, char** argv) {
    using namespace chat::server;
    try {
        auto cl = parse_command_line(argc, argv);
        auto cfg = effective_config(cl);
        if (cl.print_config) {
            std::cout << cfg.to_toml();
            return 0;
        }
        // Signals are taken by this thread alone (sigwait), so the I/O threads never see them.
        sigset_t signals;
        sigemptyset(&signals);
        sigaddset(&signals, SIGTERM);
        sigaddset(&signals, SIGINT);
        pthread_sigmask(SIG_BLOCK, &signals, nullptr);

        system_clock clock;
        chat_server server(cfg, clock);
        auto report = server.start();
        std::cout << "chatd: restored " << report.conversations << " conversations, " << report.experts << " experts, "
                  << report.timers << " timers in " << report.took.count() << " ms (of which "
                  << report.redis_loading.count() << " ms waiting for Redis to load its data)\n"
                  << "chatd: Redis: " << server.redis_description() << "\n"
                  << "chatd: listening on http://" << cfg.bind << ':' << server.port() << "  (WebSocket: ws://"
                  << cfg.bind << ':' << server.port() << "/ws, protocol chat.v1)\n"
                  << (cfg.web_root.empty() ? std::string()
                                           : "chatd: clients: http://" + cfg.bind + ':' + std::to_string(server.port()) +
                                                 "/widget/demo.html  /console/  /monitor/\n")
                  << (cfg.dev_tokens ? "chatd: development tokens are on (/dev/token): for this machine only\n" : "")
                  << "chatd: data in " << std::filesystem::absolute(cfg.data_dir).string()
                  << "; mint a token with: chatctl token --data-dir " << cfg.data_dir.string()
                  << " --role customer --sub alice --tenant acme\n"
                  << std::flush;
        int sig = 0;
        sigwait(&signals, &sig);
        std::cout << "chatd: " << (sig == SIGTERM ? "SIGTERM" : "SIGINT") << ", draining\n" << std::flush;
        server.drain(std::chrono::seconds(10));
        std::cout << "chatd: stopped\n";
        return 0;
    } catch (const config_error& e) {
        std::cerr << "chatd: " << e.what() << '\n';
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "chatd: " << e.what() << '\n';
        return 1;
    }
}
