#include "chat/server/auth/token.hpp"

#include <catch2/catch.hpp>

using namespace chat::server;
using namespace std::chrono_literals;

namespace {

const chat::queue::instant now = chat::queue::instant(std::chrono::seconds(1'790'000'000));

identity alice() {
    identity who;
    who.role = chat::protocol::role::customer;
    who.subject = "alice";
    who.tenant = "acme";
    who.tier = chat::queue::tier::enterprise;
    who.region = "de";
    who.name = "Alice A.";
    who.expires_at = now + 1h;
    return who;
}

} // namespace

TEST_CASE("a minted token verifies to the same identity", "[server][token]") {
    auto token = mint_token(alice(), "s3cret");
    auto v = verify_token(token, "s3cret", now);
    REQUIRE(v.who);
    CHECK(v.who->subject == "alice");
    CHECK(v.who->tenant == "acme");
    CHECK(v.who->tier == chat::queue::tier::enterprise);
    CHECK(v.who->role == chat::protocol::role::customer);
    CHECK(v.who->region == "de");
    CHECK(v.who->name == "Alice A.");
}

TEST_CASE("a token signed with another secret or altered is refused", "[server][token]") {
    auto token = mint_token(alice(), "s3cret");
    CHECK(verify_token(token, "other", now).problem == token_problem::bad_signature);
    // Promote oneself to enterprise by editing the claims: the signature no longer matches.
    auto standard = alice();
    standard.tier = chat::queue::tier::standard;
    auto forged = mint_token(standard, "s3cret");
    auto claims_of_forged = forged.substr(forged.find('.'), forged.rfind('.') - forged.find('.'));
    auto tampered = token.substr(0, token.find('.')) + claims_of_forged + token.substr(token.rfind('.'));
    CHECK_FALSE(verify_token(tampered, "s3cret", now).who);
}

TEST_CASE("an expired token is refused", "[server][token]") {
    auto token = mint_token(alice(), "s3cret");
    auto v = verify_token(token, "s3cret", now + 2h);
    CHECK_FALSE(v.who);
    CHECK(v.problem == token_problem::expired);
}

TEST_CASE("only HS256 is accepted, never alg none", "[server][token]") {
    // {"alg":"none"} . {"sub":"alice",...} . (empty)
    std::string none = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSIsInRlbmFudCI6ImFjbWUiLCJyb2xlIjoiZXhwZXJ0IiwiZXhwIjo5OTk5OTk5OTk5fQ.";
    auto v = verify_token(none, "s3cret", now);
    CHECK_FALSE(v.who);
    CHECK(v.problem == token_problem::bad_algorithm);
}

TEST_CASE("a signature spelled differently in base64 is refused", "[server][token]") {
    auto token = mint_token(alice(), "s3cret");
    // The last character carries padding bits; flipping them must not give a second valid token.
    const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    auto& last = token.back();
    last = alphabet[alphabet.find(last) ^ 1];
    CHECK_FALSE(verify_token(token, "s3cret", now).who);
}

TEST_CASE("garbage is refused as malformed", "[server][token]") {
    for (auto bad : {"", "abc", "a.b", "a.b.c.d", "!!.??.**"}) {
        INFO(bad);
        auto v = verify_token(bad, "s3cret", now);
        CHECK_FALSE(v.who);
        CHECK(v.problem == token_problem::malformed);
    }
}

TEST_CASE("claims with an unknown role or unsafe subject are refused", "[server][token]") {
    auto who = alice();
    who.subject = "alice smith}";
    CHECK(verify_token(mint_token(who, "k"), "k", now).problem == token_problem::bad_claims);
}

TEST_CASE("a token that repeats a claim is refused instead of read with its last value", "[server][token]") {
    auto exp = std::to_string(std::chrono::duration_cast<std::chrono::seconds>((now + 1h).time_since_epoch()).count());
    auto once = sign_claims(R"({"sub":"alice","tenant":"acme","role":"customer","exp":)" + exp + "}", "k");
    CHECK(verify_token(once, "k", now).who);
    auto twice = sign_claims(R"({"sub":"alice","tenant":"acme","role":"customer","exp":)" + exp + R"(,"role":"monitor"})", "k");
    auto v = verify_token(twice, "k", now);
    CHECK_FALSE(v.who);
}

TEST_CASE("a token is refused before its nbf, with a minute's leeway for clocks", "[server][token]") {
    auto seconds = [](chat::queue::instant t) {
        return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
    };
    auto with_nbf = [&](chat::queue::instant nbf) {
        return sign_claims(R"({"sub":"alice","tenant":"acme","role":"customer","exp":)" + seconds(now + 2h) +
                               R"(,"nbf":)" + seconds(nbf) + "}",
                           "k");
    };
    auto later = verify_token(with_nbf(now + 10min), "k", now);
    CHECK_FALSE(later.who);
    CHECK(later.problem == token_problem::not_yet_valid);
    CHECK(verify_token(with_nbf(now + 30s), "k", now).who);
    CHECK(verify_token(with_nbf(now - 1h), "k", now).who);
}

TEST_CASE("random secrets are long and differ", "[server][token]") {
    auto a = random_secret(), b = random_secret();
    CHECK(a.size() == 64);
    CHECK(a != b);
}
