// chat-soak: conversations carried across chatd nodes through faults; see soak.hpp.

#include "soak.hpp"

#include "../common/cli_args.hpp"

#include <iostream>

int main(int argc, char** argv) {
    using namespace chat::soak;
    options o;
    try {
        o = parse_options(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const std::exception& e) {
        std::cerr << "chat-soak: " << e.what() << '\n' << usage;
        return 2;
    }
    try {
        runner r(o);
        auto s = r.run();
        std::cout << "sent " << s.sent << ", acknowledged " << s.acked << ", delivered " << s.delivered << ", reconnects "
                  << s.reconnects << ", sent again " << s.resent << ", unavailable " << s.unavailable << ", errors "
                  << s.errors << ", duplicates " << s.duplicates << ", out of order " << s.out_of_order
                  << ", never acknowledged " << s.unacked << '\n';
        return s.errors == 0 && s.duplicates == 0 && s.out_of_order == 0 && s.unacked == 0 ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "chat-soak: " << e.what() << '\n';
        return 1;
    }
}
