#pragma once
// Small pieces several of the hub's files use.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace chat::server {

// An HTTP API refusal's body.
inline nlohmann::json refusal(std::string_view code, std::string message) { return {{"code", code}, {"message", std::move(message)}}; }

// A visitor made of lambdas, one per alternative.
template <class... F> struct overloaded : F... { using F::operator()...; };
template <class... F> overloaded(F...) -> overloaded<F...>;

} // namespace chat::server
