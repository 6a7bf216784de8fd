#include "chat/server/app/attachments.hpp"

#include "chat/server/auth/token.hpp"
#include "chat/server/files/file_store.hpp"

namespace chat::server {

nlohmann::json to_json(const attach_request& r) {
    return {{"conversation", r.conversation}, {"client_id", r.client_id}, {"id", r.file.id},
            {"name", r.file.name},           {"size", r.file.size},        {"content_type", r.file.content_type},
            {"state", r.file.state},         {"sha256", r.sha256}};
}

std::optional<attach_request> attach_request_of(const nlohmann::json& j) {
    if (!j.is_object()) return std::nullopt;
    try {
        attach_request r;
        r.conversation = j.at("conversation").get<std::string>();
        r.client_id = j.at("client_id").get<std::string>();
        r.file.id = j.at("id").get<std::string>();
        r.file.name = j.at("name").get<std::string>();
        r.file.size = j.at("size").get<std::uint64_t>();
        r.file.content_type = j.at("content_type").get<std::string>();
        r.file.state = j.at("state").get<std::string>();
        r.sha256 = j.at("sha256").get<std::string>();
        return r;
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
}

std::string attachment_id(const std::string& conversation, const std::string& sender, const std::string& client_id) {
    if (client_id.empty()) return "f" + random_hex(12);
    return "f" + files::sha256::of(conversation + '\n' + sender + '\n' + client_id).substr(0, 24);
}

int http_status_of(std::string_view code) {
    if (code == "unknown_conversation" || code == "not_found") return 404;
    if (code == "rate_limited") return 429;
    if (code == "unavailable") return 503;
    if (code == "restricted" || code == "wrong_role" || code == "not_allowed") return 403;
    if (code == "too_large" || code == "quota_exceeded") return 413;
    if (code == "bad_field" || code == "invalid_argument") return 400;
    return 409; // the conversation's state does not allow it now
}

} // namespace chat::server
