#pragma once
// A virus scan by clamd over its socket (INSTREAM: the bytes in length-prefixed chunks, then
// clamd's verdict). Blocking, with a deadline: run it off the I/O threads.

#include "chat/server/files/file_store.hpp"

#include <chrono>
#include <string>

namespace chat::server::files {

struct scan_verdict {
    enum class kind { clean, infected, failed } what = kind::failed;
    std::string detail; // the signature found, or why the scan could not be done
};

// `where`: "unix:/run/clamav/clamd.ctl" or "tcp:HOST:PORT".
scan_verdict clamd_scan(const std::string& where, file_reader& file, std::chrono::milliseconds timeout);

} // namespace chat::server::files
