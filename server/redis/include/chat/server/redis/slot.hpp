#pragma once
// Redis Cluster's key slots: CRC16 (XMODEM) of the key, or of its hash tag ("{...}"), mod 16384.

#include <cstdint>
#include <string_view>

namespace chat::server::redis {

inline constexpr std::uint16_t slot_count = 16384;

std::uint16_t crc16(std::string_view data);
// The slot of `key`: of the text between the first '{' and the next '}' when that is not empty.
std::uint16_t key_slot(std::string_view key);

} // namespace chat::server::redis
