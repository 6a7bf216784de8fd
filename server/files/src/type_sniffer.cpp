#include "chat/server/files/type_sniffer.hpp"

#include <magic.h>

#include <stdexcept>

namespace chat::server::files {

type_sniffer::type_sniffer() : magic_(magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR)) {
    if (!magic_) throw std::runtime_error("libmagic: cannot open");
    if (magic_load(magic_, nullptr) != 0) {
        std::string why = magic_error(magic_) ? magic_error(magic_) : "no database";
        magic_close(magic_);
        throw std::runtime_error("libmagic: cannot load its database: " + why);
    }
}

type_sniffer::~type_sniffer() { magic_close(magic_); }

std::string type_sniffer::sniff(std::string_view head) {
    std::lock_guard lock(mutex_);
    const char* type = magic_buffer(magic_, head.data(), head.size());
    return type ? type : "application/octet-stream";
}

} // namespace chat::server::files
