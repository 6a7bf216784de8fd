#include "chat/server/webhooks/signature.hpp"

#include <catch2/catch.hpp>

using namespace chat::server::webhooks;

TEST_CASE("a delivery's signature is HMAC-SHA256 of the body in lower-case hex", "[webhooks][signature]") {
    // RFC 4231, test case 2.
    CHECK(signature("Jefe", "what do ya want for nothing?") ==
          "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("a signature matches only its own body and secret", "[webhooks][signature]") {
    auto header = signature("secret-of-sixteen", R"({"id":"evt_1"})");
    CHECK(signature_matches("secret-of-sixteen", R"({"id":"evt_1"})", header));
    CHECK_FALSE(signature_matches("secret-of-sixteen", R"({"id":"evt_2"})", header));
    CHECK_FALSE(signature_matches("another-secret-16", R"({"id":"evt_1"})", header));
    CHECK_FALSE(signature_matches("secret-of-sixteen", R"({"id":"evt_1"})", header.substr(0, header.size() - 1)));
    CHECK_FALSE(signature_matches("secret-of-sixteen", R"({"id":"evt_1"})", ""));
}
