#pragma once
// `chatctl calendar deadline`: the reopen deadline of a region calendar for given instants.

#include <iosfwd>
#include <string>
#include <vector>

namespace chat::tools {

// Returns the process exit code; errors go to `err`.
int calendar_deadline(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
                      std::ostream& err);

} // namespace chat::tools
