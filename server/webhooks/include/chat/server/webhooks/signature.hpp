#pragma once
// What a receiver checks a delivery by: HMAC-SHA256 of the exact body with the endpoint's
// secret, as "sha256=" and lower-case hex (the X-Chatd-Signature header).

#include <string>
#include <string_view>

namespace chat::server::webhooks {

std::string signature(std::string_view secret, std::string_view body);
// Compares in constant time.
bool signature_matches(std::string_view secret, std::string_view body, std::string_view header);

} // namespace chat::server::webhooks
