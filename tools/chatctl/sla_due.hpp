#pragma once
// `chatctl sla due`: when each response-time target of a tier and severity falls due, for
// checking a configuration's hours, calendars and targets.

#include <iosfwd>
#include <string>
#include <vector>

namespace chat::tools {

// Returns the process exit code; errors go to `err`.
int sla_due(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

} // namespace chat::tools
