#include "chat/server/auth/token.hpp"

#include "chat/protocol/codec.hpp"

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <vector>
#include <stdexcept>

namespace chat::server {
namespace {

constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url(std::string_view bytes) {
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (unsigned char b : bytes) {
        acc = (acc << 8) | b;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += alphabet[(acc >> bits) & 63];
        }
    }
    if (bits > 0) out += alphabet[(acc << (6 - bits)) & 63];
    return out;
}

std::optional<std::string> unbase64url(std::string_view text) {
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (char ch : text) {
        auto at = alphabet.find(ch);
        if (at == std::string_view::npos) return std::nullopt;
        acc = (acc << 6) | static_cast<std::uint32_t>(at);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xff);
        }
    }
    // Only the canonical encoding: leftover bits must be zero, so one token has one spelling.
    if (bits >= 6 || (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
    return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
              reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(), &len))
        throw std::runtime_error("HMAC-SHA256 failed");
    return {reinterpret_cast<const char*>(mac.data()), len};
}

std::optional<nlohmann::json> json_part(std::string_view b64) {
    auto text = unbase64url(b64);
    if (!text || protocol::nests_deeper_than(*text, 4)) return std::nullopt;
    // A repeated claim ("role" twice) is refused rather than read with its last value.
    std::optional<std::string> repeated;
    auto j = protocol::parse_json_once_per_key(*text, repeated);
    if (repeated || j.is_discarded() || !j.is_object()) return std::nullopt;
    return j;
}

std::optional<std::string> string_claim(const nlohmann::json& j, const char* name, bool required) {
    auto it = j.find(name);
    if (it == j.end()) return required ? std::nullopt : std::optional<std::string>("");
    if (!it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

} // namespace

std::string_view describe(token_problem p) {
    switch (p) {
    case token_problem::malformed: return "the token is not a JWT";
    case token_problem::bad_algorithm: return "the token is not signed with HS256";
    case token_problem::bad_signature: return "the token's signature does not match";
    case token_problem::expired: return "the token has expired";
    case token_problem::not_yet_valid: return "the token is not valid yet (nbf)";
    case token_problem::bad_claims: return "the token's claims are missing or invalid";
    }
    return "the token is invalid";
}

verified verify_token(std::string_view token, std::string_view secret, queue::instant now) {
    verified v;
    auto dot1 = token.find('.');
    auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
    if (token.size() > 8192 || dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos)
        return v;
    auto header = json_part(token.substr(0, dot1));
    auto signature = unbase64url(token.substr(dot2 + 1));
    if (!header || !signature) return v;
    if (header->value("alg", "") != "HS256") {
        v.problem = token_problem::bad_algorithm;
        return v;
    }
    auto expected = hmac_sha256(secret, token.substr(0, dot2));
    if (signature->size() != expected.size() ||
        CRYPTO_memcmp(signature->data(), expected.data(), expected.size()) != 0) {
        v.problem = token_problem::bad_signature;
        return v;
    }
    auto claims = json_part(token.substr(dot1 + 1, dot2 - dot1 - 1));
    v.problem = token_problem::bad_claims;
    if (!claims) return v;
    auto exp = claims->find("exp");
    if (exp == claims->end() || !exp->is_number_integer()) return v;
    auto expires = queue::instant(std::chrono::seconds(exp->get<std::int64_t>()));
    if (expires <= now) {
        v.problem = token_problem::expired;
        return v;
    }
    if (auto nbf = claims->find("nbf"); nbf != claims->end()) {
        if (!nbf->is_number_integer()) return v;
        // Not valid yet; a minute's leeway for clocks that differ a little.
        auto not_before = queue::instant(std::chrono::seconds(nbf->get<std::int64_t>()));
        if (not_before > now + std::chrono::minutes(1)) {
            v.problem = token_problem::not_yet_valid;
            return v;
        }
    }
    auto sub = string_claim(*claims, "sub", true);
    auto tenant = string_claim(*claims, "tenant", true);
    auto role = string_claim(*claims, "role", true);
    auto tier = string_claim(*claims, "tier", false);
    auto region = string_claim(*claims, "region", false);
    auto name = string_claim(*claims, "name", false);
    if (!sub || !tenant || !role || !tier || !region || !name) return v;
    auto parsed_role = protocol::parse_role(*role);
    auto parsed_tier = tier->empty() ? std::optional(queue::tier::standard) : queue::parse_tier(*tier);
    if (!parsed_role || !parsed_tier || !protocol::valid_id(*sub) || !protocol::valid_id(*tenant) ||
        (!region->empty() && !protocol::valid_id(*region)) || name->size() > 200)
        return v;
    std::vector<std::string> skills;
    if (auto k = claims->find("skills"); k != claims->end()) {
        if (!k->is_array() || k->size() > 50) return v;
        for (const auto& e : *k) {
            if (!e.is_string() || !protocol::valid_id(e.get_ref<const std::string&>())) return v;
            skills.push_back(e.get<std::string>());
        }
    }
    v.who = identity{*parsed_role, *sub, *tenant, *parsed_tier, *region,
                     name->empty() ? *sub : *name, expires, std::move(skills)};
    return v;
}

std::string mint_token(const identity& who, std::string_view secret) {
    nlohmann::json claims{
        {"sub", who.subject},
        {"tenant", who.tenant},
        {"role", protocol::to_string(who.role)},
        {"tier", queue::to_string(who.tier)},
        {"name", who.name},
        {"exp", std::chrono::duration_cast<std::chrono::seconds>(who.expires_at.time_since_epoch()).count()}};
    if (!who.region.empty()) claims["region"] = who.region;
    if (!who.skills.empty()) claims["skills"] = who.skills;
    return sign_claims(claims.dump(), secret);
}

std::string sign_claims(std::string_view claims_json, std::string_view secret) {
    nlohmann::json header{{"alg", "HS256"}, {"typ", "JWT"}};
    auto signing_input = base64url(header.dump()) + '.' + base64url(claims_json);
    return signing_input + '.' + base64url(hmac_sha256(secret, signing_input));
}

std::string random_hex(std::size_t n) {
    std::vector<unsigned char> bytes(n);
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) throw std::runtime_error("no randomness from the OS");
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (auto b : bytes) out += {hex[b >> 4], hex[b & 15]};
    return out;
}

std::string random_secret() { return random_hex(32); }

} // namespace chat::server
