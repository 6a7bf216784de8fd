// chat-loadgen: loads chatd (or a floor server) like the real clients and measures it.

#include "driver.hpp"

#include "../common/cli_args.hpp"

#include <fstream>
#include <iostream>

int main(int argc, char** argv) {
    using namespace chat::loadgen;
    options o;
    try {
        o = parse_options(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const chat::tools::usage_error& e) {
        std::cerr << "chat-loadgen: " << e.what() << '\n' << usage;
        return 2;
    }
    try {
        driver d(o);
        auto r = d.run();
        print_table(std::cout, r, o);
        if (!o.json_path.empty()) {
            std::ofstream out(o.json_path);
            out << to_json(r, o).dump(2) << '\n';
            if (!out) {
                std::cerr << "chat-loadgen: cannot write " << o.json_path << '\n';
                return 1;
            }
        }
        return r.error_count() == 0 && !r.timed_out ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "chat-loadgen: " << e.what() << '\n';
        return 1;
    }
}
