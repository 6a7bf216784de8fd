#pragma once
// The virus scan of a stored file, after its message is sent as `scanning`: clamd reads it
// from the file store on the disk threads, and the verdict goes to the conversation's hub
// (which stores it and tells both sides). clamd unreachable: tried again, 5 times in all.

#include "chat/server/net/gateway.hpp"

namespace chat::server {

void scan_file(std::shared_ptr<gateway> gw, identity uploader, std::string attachment, std::string sha256);

} // namespace chat::server
