// chatctl: operator commands for chatd.

#include "calendar_deadline.hpp"
#include "server_commands.hpp"
#include "sla_due.hpp"
#include "webhooks_command.hpp"

#include <iostream>
#include <string>
#include <vector>

namespace {

constexpr const char* usage =
    "usage:\n"
    "  chatctl token --data-dir DIR --role customer|expert|monitor --sub ID --tenant ID\n"
    "                [--tier enterprise|standard] [--region ID] [--name NAME] [--ttl SECONDS]\n"
    "                [--skills ID,ID...]  (an expert's skills)\n"
    "  chatctl queue [--data-dir DIR | --redis URL] [--tenant ID] [--format text|json]\n"
    "  chatctl conversation show|export ID [--data-dir DIR | --redis URL] [--format json|text]\n"
    "  chatctl audit --tenant ID [--from INSTANT] [--to INSTANT] [--data-dir DIR | --redis URL] [--format text|json]\n"
    "                (the last 24 hours by default)\n"
    "  chatctl calendar deadline --calendar FILE.ics --tz ZONE [--weekend sat,sun]\n"
    "                            --from INSTANT|- --business-days N\n"
    "  chatctl sla due --tier enterprise|standard --severity 1-4 --from INSTANT [--region ID]\n"
    "                (when each response-time target falls due)\n"
    "  chatctl webhooks status [--tenant ID]\n"
    "  chatctl webhooks dead [--tenant ID] [--limit N] [--format text|json]\n"
    "  chatctl webhooks replay ID --tenant ID | chatctl webhooks replay --all [--tenant ID]\n"
    "                (the webhook outbox: retries, dead letters, replay)\n"
    "  (every command also takes --config FILE, the chatd configuration)\n";

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.size() >= 2 && args[0] == "calendar" && args[1] == "deadline")
        return chat::tools::calendar_deadline({args.begin() + 2, args.end()}, std::cin, std::cout,
                                              std::cerr);
    if (args.size() >= 2 && args[0] == "sla" && args[1] == "due")
        return chat::tools::sla_due({args.begin() + 2, args.end()}, std::cout, std::cerr);
    std::vector<std::string> rest(args.empty() ? args.end() : args.begin() + 1, args.end());
    if (!args.empty() && args[0] == "token") return chat::tools::token_command(rest, std::cout, std::cerr);
    if (!args.empty() && args[0] == "queue") return chat::tools::queue_command(rest, std::cout, std::cerr);
    if (!args.empty() && args[0] == "audit") return chat::tools::audit_command(rest, std::cout, std::cerr);
    if (!args.empty() && args[0] == "webhooks") return chat::tools::webhooks_command(rest, std::cout, std::cerr);
    if (!args.empty() && args[0] == "conversation") return chat::tools::conversation_command(rest, std::cout, std::cerr);
    if (!args.empty() && (args[0] == "--help" || args[0] == "help")) {
        std::cout << usage;
        return 0;
    }
    std::cerr << usage;
    return 2;
}
