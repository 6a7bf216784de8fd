#pragma once
// An https server standing in for a ticket system, with a certificate made for the test (by
// the openssl command, for the name localhost alone): it answers each request 200 and keeps it.

#include "redis_fixture.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace chat::test {

class tls_receiver {
public:
    tls_receiver();
    ~tls_receiver();

    std::filesystem::path certificate() const { return dir_.path() / "cert.pem"; }
    std::string url(const std::string& host = "localhost") const;
    std::vector<std::string> bodies() const;
    // Connections whose TLS handshake failed (the client refused the certificate).
    int refused() const;

private:
    struct server; // the Asio, OpenSSL and Beast parts, kept out of every test's compilation

    std::filesystem::path key() const { return dir_.path() / "key.pem"; }

    temp_dir dir_;
    std::unique_ptr<server> server_;
};

} // namespace chat::test
