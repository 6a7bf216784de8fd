#pragma once
// Real HTTP requests against the server under test.

#include <boost/beast/http/verb.hpp>

#include <map>
#include <optional>
#include <string>

namespace chat::test {

struct http_result {
    int status = 0;
    std::string body;
    std::string content_type;
    std::map<std::string, std::string> headers; // lower-case names

    std::string header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

// Any request with a body (sent whole); the answer read whole.
http_result http_request(unsigned short port, boost::beast::http::verb method, const std::string& target,
                         std::optional<std::string> bearer, std::string body,
                         const std::map<std::string, std::string>& request_headers = {});

inline http_result http_get(unsigned short port, const std::string& target, std::optional<std::string> bearer = {},
                            const std::map<std::string, std::string>& request_headers = {}) {
    return http_request(port, boost::beast::http::verb::get, target, std::move(bearer), {}, request_headers);
}

} // namespace chat::test
