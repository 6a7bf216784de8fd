// chatctl: operator commands for chatd.

#include "calendar_deadline.hpp"

#include <iostream>
#include <string>
#include <vector>

namespace {

constexpr const char* usage =
    "usage:\n"
    "  chatctl calendar deadline --calendar FILE.ics --tz ZONE [--weekend sat,sun]\n"
    "                            --from INSTANT|- --business-days N\n";

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.size() >= 2 && args[0] == "calendar" && args[1] == "deadline")
        return chat::tools::calendar_deadline({args.begin() + 2, args.end()}, std::cin, std::cout,
                                              std::cerr);
    if (!args.empty() && (args[0] == "--help" || args[0] == "help")) {
        std::cout << usage;
        return 0;
    }
    std::cerr << usage;
    return 2;
}
