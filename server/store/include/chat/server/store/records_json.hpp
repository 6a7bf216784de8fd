#pragma once
// The core's records as stored in Redis: JSON documents with instants in epoch milliseconds.

#include "chat/queue/records.hpp"

#include <nlohmann/json.hpp>

namespace chat::server {

nlohmann::json to_stored(const queue::conversation& c);
nlohmann::json to_stored(const queue::expert& x);
// Throw nlohmann::json::exception on a document that is not a stored record. `outer` is the
// document around the record, which held its epoch, name, ticket and numbering before they
// were the record's own. The numbering comes back incomplete: the stream may be ahead.
queue::conversation conversation_from_stored(const nlohmann::json& j, const nlohmann::json& outer = {});
queue::expert expert_from_stored(const nlohmann::json& j);

} // namespace chat::server
