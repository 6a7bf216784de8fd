#pragma once
// Tokens signed by the host product (HS256 JWT): who a connection is, and nothing else.

#include "chat/protocol/messages.hpp"
#include "chat/queue/types.hpp"

#include <optional>
#include <string>
#include <vector>
#include <string_view>

namespace chat::server {

// The verified claims of a token. Role and tier come only from here.
struct identity {
    protocol::role role = protocol::role::customer;
    std::string subject;
    std::string tenant;
    queue::tier tier = queue::tier::standard;
    std::string region;
    std::string name;
    queue::instant expires_at{};
    std::vector<std::string> skills; // an expert's: product areas, languages (the `skills` claim)
};

enum class token_problem { malformed, bad_algorithm, bad_signature, expired, not_yet_valid, bad_claims };
std::string_view describe(token_problem p);

struct verified {
    std::optional<identity> who;
    token_problem problem = token_problem::malformed;
};

// Checks the signature (in constant time), the algorithm (HS256 only), expiry and claims.
verified verify_token(std::string_view token, std::string_view secret, queue::instant now);

// Signs a token for `who` (chatctl token, tests, the development demo page).
std::string mint_token(const identity& who, std::string_view secret);
// Signs claims exactly as written (JSON text), as a host product's signer would.
std::string sign_claims(std::string_view claims_json, std::string_view secret);

// `n` bytes from the OS, hex-encoded.
std::string random_hex(std::size_t n);
// A new random secret: 32 bytes from the OS, hex-encoded.
std::string random_secret();

} // namespace chat::server
