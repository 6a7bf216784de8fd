#include "chat/server/webhooks/signature.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

namespace chat::server::webhooks {

std::string signature(std::string_view secret, std::string_view body) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(body.data()),
              body.size(), mac, &size))
        throw std::runtime_error("HMAC-SHA256 failed");
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "sha256=";
    for (unsigned int i = 0; i < size; ++i) {
        out += hex[mac[i] >> 4];
        out += hex[mac[i] & 0xf];
    }
    return out;
}

bool signature_matches(std::string_view secret, std::string_view body, std::string_view header) {
    auto expected = signature(secret, body);
    return header.size() == expected.size() && CRYPTO_memcmp(header.data(), expected.data(), expected.size()) == 0;
}

} // namespace chat::server::webhooks
