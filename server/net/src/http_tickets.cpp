// The ticket system's reports over HTTP: POST /api/v1/tickets/ID/status, signed like the webhooks
// chatd sends it. X-Chatd-Endpoint names the [[webhooks]] endpoint whose secret signed the body;
// that endpoint must take the tenant's ticket.created events. Answered by the tenant's hub once
// what was reported is stored.

#include "chat/server/net/http_session.hpp"

#include "chat/server/webhooks/signature.hpp"

#include <boost/asio/post.hpp>

namespace chat::server {
namespace {

constexpr std::string_view ticket_event = "ticket.created"; // an endpoint that gets tickets may report on them

nlohmann::json refusal(std::string_view code, std::string message) { return {{"code", code}, {"message", std::move(message)}}; }

} // namespace

bool http_session::is_ticket_report(std::string_view path) {
    return path.rfind(tickets_prefix, 0) == 0 && path.ends_with(ticket_report_suffix) &&
           path.size() > tickets_prefix.size() + ticket_report_suffix.size();
}

void http_session::ticket_report(const request& req, std::string_view path) {
    if (req.method() != boost::beast::http::verb::post)
        return reply(boost::beast::http::status::method_not_allowed, "only POST\n", "text/plain");
    auto ticket = std::string(path.substr(tickets_prefix.size(), path.size() - tickets_prefix.size() - ticket_report_suffix.size()));
    auto name = std::string_view(req["X-Chatd-Endpoint"]);
    const webhooks::endpoint* from = nullptr;
    for (const auto& e : gw_->cfg.webhooks.endpoints)
        if (e.name == name) from = &e;
    // The same answer for an unknown endpoint and a wrong signature: nothing to probe for.
    if (!from || !webhooks::signature_matches(from->secret, req.body(), req["X-Chatd-Signature"]))
        return reply_json(401, refusal("bad_signature", "X-Chatd-Endpoint and X-Chatd-Signature (sha256=HEX, HMAC-SHA256 of the body "
                                                        "with the endpoint's secret) do not match"));
    auto body = nlohmann::json::parse(req.body(), nullptr, false);
    auto tenant = body.is_object() && body.contains("tenant") && body["tenant"].is_string() ? body["tenant"].get<std::string>() : "";
    if (!protocol::valid_id(tenant)) return reply_json(400, refusal("bad_field", "tenant must be the ticket's tenant id"));
    if (!from->wants(ticket_event, tenant))
        return reply_json(403, refusal("not_allowed", "this endpoint does not take the tenant's tickets"));
    identity endpoint;
    endpoint.role = protocol::role::monitor; // carried to the tenant's hub; it acts only on this ticket
    endpoint.subject = "webhook:" + from->name;
    endpoint.name = from->name;
    endpoint.tenant = tenant;
    auto answer = [self = shared_from_this()](int status, nlohmann::json out) {
        boost::asio::post(self->stream_.get_executor(), [self, status, out = std::move(out)] { self->reply_json(status, out); });
    };
    gw_->node->read(endpoint, cluster::node::read_kind::ticket_status, nlohmann::json{{"ticket", ticket}, {"body", req.body()}}.dump(),
                    answer);
}

} // namespace chat::server
