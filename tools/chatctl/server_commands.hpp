#pragma once
// chatctl's commands against a chatd deployment: mint tokens, read the queue and
// conversations straight from its Redis.

#include <iosfwd>
#include <string>
#include <vector>

namespace chat::tools {

// Each returns the process exit code; errors go to `err`.
int token_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int queue_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
// `conversation show ID` (JSON) or `conversation export ID [--format json|text]`.
// chatctl audit --tenant T [--from ISO] [--to ISO] [--format text|json]: the tenant's audit log.
int audit_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int conversation_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

} // namespace chat::tools
