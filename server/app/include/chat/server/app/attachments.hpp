#pragma once
// Files in the chat as the HTTP API hands them to the hub of their conversation's shard
// (here or on another node, as JSON): the bytes are stored already, under `sha256`.

#include "chat/server/store/store.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace chat::server {

// The file, stored, to be sent as the uploader's next message of `conversation`.
struct attach_request {
    std::string conversation;
    std::string client_id; // a retry with the same one is stored once
    stored_attachment file;
    std::string sha256;
};

nlohmann::json to_json(const attach_request& r);
std::optional<attach_request> attach_request_of(const nlohmann::json& j);

// The id of an attachment: the same for a retried upload (same conversation, sender and client
// id), so that its record and answer are the same; random without a client id.
std::string attachment_id(const std::string& conversation, const std::string& sender, const std::string& client_id);

// The HTTP status an error code of the chat protocol answers with.
int http_status_of(std::string_view code);

} // namespace chat::server
