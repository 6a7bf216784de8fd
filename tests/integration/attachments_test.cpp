// Files in the chat: uploaded over HTTP beside the WebSocket, stored in the file store before
// the other side is told, downloaded by those who may, refused with a clear answer otherwise.

#include "clamd_server.hpp"
#include "cluster_fixture.hpp"
#include "http_get.hpp"
#include "server_fixture.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include <filesystem>
#include <thread>

using namespace chat::test;
using namespace std::chrono_literals;
using boost::beast::http::verb;
using chat::protocol::role;

namespace {

std::string bytes(std::initializer_list<int> b) {
    std::string s;
    for (int c : b) s += static_cast<char>(c);
    return s;
}

// A small JPEG: JFIF header, an Exif segment holding a GPS position, a table, the scan, the end.
struct photo {
    std::string jfif = bytes({0xFF, 0xE0, 0x00, 0x10}) + std::string("JFIF\0", 5) + bytes({1, 1, 0, 0, 1, 0, 1, 0, 0});
    std::string exif_payload = std::string("Exif\0\0", 6) + "GPSLatitude 48.8584 N GPSLongitude 2.2945 E";
    std::string exif = bytes({0xFF, 0xE1, 0x00, static_cast<int>(exif_payload.size() + 2)}) + exif_payload;
    std::string table = bytes({0xFF, 0xDB, 0x00, 0x43}) + std::string(65, '\x01');
    std::string scan = bytes({0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00}) + std::string(300, '\x55') +
                       bytes({0xFF, 0xD9});
    std::string file() const { return bytes({0xFF, 0xD8}) + jfif + exif + table + scan; }
    std::string served() const { return bytes({0xFF, 0xD8}) + jfif + table + scan; }
};

const std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + bytes({0, 0, 0, 13}) + "IHDR" +
                        bytes({0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 0x90, 0x77, 0x53, 0xDE});

std::string log_text(std::size_t lines) {
    std::string s;
    for (std::size_t i = 0; i < lines; ++i) s += "2026-12-07T09:00:0" + std::to_string(i % 10) + "Z ERROR payment webhook timed out\n";
    return s;
}

std::string upload_target(const std::string& conversation, const std::string& name, const std::string& client_id = "") {
    return "/api/v1/conversations/" + conversation + "/attachments?name=" + name +
           (client_id.empty() ? "" : "&client_id=" + client_id);
}

http_result upload(server_fixture& f, const std::string& token, const std::string& conversation, const std::string& name,
                   std::string body, const std::string& client_id = "") {
    return http_request(f.port(), verb::post, upload_target(conversation, name, client_id), token, std::move(body),
                        {{"Content-Type", "application/octet-stream"}});
}

nlohmann::json json_of(const http_result& r) { return nlohmann::json::parse(r.body); }

bool is_file_message(const nlohmann::json& j) { return j.value("type", "") == "message" && j.contains("attachment"); }

// Regular files under `root`, the file store's tmp/ included.
std::size_t files_in(const std::filesystem::path& root) {
    std::size_t n = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(root))
        if (e.is_regular_file()) ++n;
    return n;
}

} // namespace

TEST_CASE("a customer sends a photo and the expert downloads it without its location", "[integration][files]") {
    server_fixture f;
    chatting chat(f, "checkout", "the pay button is grey");
    photo p;

    auto r = upload(f, f.token(role::customer, "alice"), chat.c, "screen.jpg", p.file(), "u1");
    REQUIRE(r.status == 200);
    auto answer = json_of(r);
    CHECK(answer["conversation"] == chat.c);
    CHECK(answer["seq"] == 2);
    CHECK(answer["content_type"] == "image/jpeg");
    CHECK(answer["size"] == p.served().size());
    CHECK(answer["state"] == "clean");

    auto told = chat.ada->wait_for(is_file_message);
    CHECK(told["seq"] == 2);
    CHECK(told["from"] == "customer");
    CHECK(told["text"] == "screen.jpg");
    CHECK(told["attachment"]["id"] == answer["attachment"]);
    CHECK(told["attachment"]["name"] == "screen.jpg");
    CHECK(told["attachment"]["content_type"] == "image/jpeg");
    // The customer's own connection is told too (the upload came over HTTP, not from it).
    CHECK(chat.alice->wait_for(is_file_message)["attachment"]["id"] == answer["attachment"]);

    auto got = http_get(f.port(), "/api/v1/attachments/" + answer["attachment"].get<std::string>(), f.token(role::expert, "ada"));
    REQUIRE(got.status == 200);
    CHECK(got.body == p.served());
    CHECK(got.body.find("GPSLatitude") == std::string::npos);
    CHECK(got.content_type == "image/jpeg");
    CHECK(got.header("content-disposition").rfind("inline; filename=\"screen.jpg\"", 0) == 0);
    CHECK(got.header("x-content-type-options") == "nosniff");
    CHECK(got.header("content-security-policy").find("sandbox") != std::string::npos);

    // History and resume carry it: the message is in the conversation's stream.
    auto history = chat.ada->request({{"type", "history"}, {"conversation", chat.c}, {"after", 1}});
    (void)history;
    auto replayed = chat.ada->wait_for([](const nlohmann::json& j) { return is_file_message(j) && j.value("seq", 0) == 2; });
    CHECK(replayed["attachment"]["size"] == p.served().size());
}

TEST_CASE("a log file sent by the expert is a download of plain text for the customer", "[integration][files]") {
    server_fixture f;
    chatting chat(f, "webhooks", "payments webhook fails");
    auto log = log_text(50);
    auto r = upload(f, f.token(role::expert, "ada"), chat.c, "worker.log", log, "e1");
    REQUIRE(r.status == 200);
    CHECK(json_of(r)["content_type"] == "text/plain");
    auto told = chat.alice->wait_for(is_file_message);
    CHECK(told["from"] == "expert");
    auto got = http_get(f.port(), "/api/v1/attachments/" + told["attachment"]["id"].get<std::string>(), f.token(role::customer, "alice"));
    REQUIRE(got.status == 200);
    CHECK(got.body == log);
    CHECK(got.content_type == "text/plain; charset=utf-8");
    CHECK(got.header("content-disposition").rfind("attachment; filename=\"worker.log\"", 0) == 0);
}

TEST_CASE("a retried upload with the same client id is stored once", "[integration][files]") {
    server_fixture f;
    chatting chat(f, "sso", "okta loops");
    auto token = f.token(role::customer, "alice");
    auto first = json_of(upload(f, token, chat.c, "trace.txt", log_text(5), "same"));
    auto again = json_of(upload(f, token, chat.c, "trace.txt", log_text(5), "same"));
    CHECK(again["seq"] == first["seq"]);
    CHECK(again["attachment"] == first["attachment"]);
    auto read = http_get(f.port(), "/api/v1/conversations/" + chat.c, f.token(role::expert, "ada"));
    auto transcript = json_of(read)["transcript"];
    REQUIRE(transcript.size() == 2);
    CHECK(transcript[1]["attachment"]["id"] == first["attachment"]);
    // One copy of the bytes, whatever the retries.
    CHECK(files_in(f.data_dir() / "files") == 1);
}

TEST_CASE("a file over its tier's size limit is refused, an Enterprise customer's larger one is not", "[integration][files]") {
    server_fixture f([](chat::server::config& c) {
        c.files.max_bytes_standard = 1000;
        c.files.max_bytes_enterprise = 5000;
    });
    chatting chat(f, "export", "csv export is empty");
    auto r = upload(f, f.token(role::customer, "alice"), chat.c, "big.log", log_text(40));
    CHECK(r.status == 413);
    CHECK(json_of(r)["code"] == "too_large");

    auto vip = f.customer("vip", chat::queue::tier::enterprise);
    auto c2 = server_fixture::open(*vip, "export", "csv export is empty too");
    server_fixture::accept(*chat.ada, c2);
    CHECK(upload(f, f.token(role::customer, "vip", chat::queue::tier::enterprise), c2, "big.log", log_text(40)).status == 200);
}

TEST_CASE("a file whose bytes are not what its name says, or of a type not accepted, is refused", "[integration][files]") {
    server_fixture f;
    chatting chat(f, "upload", "cannot attach");
    auto token = f.token(role::customer, "alice");
    auto disguised = upload(f, token, chat.c, "notes.txt", png);
    CHECK(disguised.status == 415);
    CHECK(json_of(disguised)["message"].get<std::string>().find("image/png") != std::string::npos);
    CHECK(upload(f, token, chat.c, "setup.exe", "MZ\x90\x00 not really").status == 415);
    auto elf = std::string("\x7f" "ELF\x02\x01\x01", 7) + std::string(200, '\0');
    CHECK(upload(f, token, chat.c, "core.log", elf).status == 415);
    CHECK(upload(f, token, chat.c, "../../etc/passwd", "x").status == 400);
    // Nothing of them was kept, and the conversation goes on.
    CHECK(files_in(f.data_dir() / "files") == 0);
    CHECK(server_fixture::say(*chat.alice, chat.c, "still there?", "m2")["type"] == "ok");
}

TEST_CASE("only the conversation's customer, its expert and the tenant's leads download a file", "[integration][files]") {
    server_fixture f;
    chatting chat(f, "billing", "double charge");
    auto id = json_of(upload(f, f.token(role::customer, "alice"), chat.c, "invoice.txt", log_text(3)))["attachment"].get<std::string>();
    auto get = [&](const std::string& token) { return http_get(f.port(), "/api/v1/attachments/" + id, token).status; };
    CHECK(get(f.token(role::customer, "alice")) == 200);
    CHECK(get(f.token(role::expert, "ada")) == 200);
    CHECK(get(f.token(role::monitor, "lead")) == 200);
    CHECK(get(f.token(role::customer, "mallory")) == 404);
    CHECK(get(f.token(role::expert, "ben")) == 404);
    CHECK(get(f.token(role::monitor, "lead", chat::queue::tier::standard, "globex")) == 404);
    CHECK(http_get(f.port(), "/api/v1/attachments/" + id).status == 401);
    // Nor may they send into it.
    auto sent = upload(f, f.token(role::customer, "mallory"), chat.c, "x.txt", "hello");
    CHECK(sent.status == 404);
    CHECK(json_of(sent)["code"] == "unknown_conversation");
    CHECK(upload(f, f.token(role::monitor, "lead"), chat.c, "x.txt", "hello").status == 403);
}

TEST_CASE("a tenant over its file quota is refused until files are removed", "[integration][files]") {
    server_fixture f([](chat::server::config& c) { c.hub.file_quota_bytes = 3000; });
    chatting chat(f, "logs", "need to send logs");
    auto token = f.token(role::customer, "alice");
    CHECK(upload(f, token, chat.c, "a.log", log_text(30)).status == 200); // ~1.5 KB
    auto over = upload(f, token, chat.c, "b.log", log_text(40));
    CHECK(over.status == 413);
    CHECK(json_of(over)["code"] == "quota_exceeded");
}

TEST_CASE("an upload cut off midway leaves nothing behind and tells nobody", "[integration][files]") {
    server_fixture f;
    chatting chat(f, "logs", "sending a big log");
    {
        boost::asio::io_context io;
        boost::asio::ip::tcp::socket s(io);
        s.connect({boost::asio::ip::make_address("127.0.0.1"), f.port()});
        std::string head = "POST " + upload_target(chat.c, "big.log", "cut") +
                           " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + f.token(role::customer, "alice") +
                           "\r\nContent-Length: 200000\r\n\r\n";
        boost::asio::write(s, boost::asio::buffer(head + log_text(1000).substr(0, 60000)));
        std::this_thread::sleep_for(200ms);
    } // closed: 140,000 bytes never come
    // The part is removed once the server sees the connection end.
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (files_in(f.data_dir() / "files") != 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(20ms);
    CHECK(files_in(f.data_dir() / "files") == 0);
    CHECK(server_fixture::say(*chat.alice, chat.c, "it failed", "m2")["seq"] == 2);
    auto next = chat.ada->wait_for("message");
    CHECK(next["seq"] == 2);
    CHECK_FALSE(next.contains("attachment"));
}

TEST_CASE("a client that asks to continue first is told 100 Continue, and a refusal before it", "[integration][files]") {
    server_fixture f;
    chatting chat(f, "logs", "big log");
    auto body = log_text(20000); // ~1 MB
    auto ok = http_request(f.port(), verb::post, upload_target(chat.c, "big.log"), f.token(role::customer, "alice"), body,
                           {{"Expect", "100-continue"}});
    CHECK(ok.status == 200);
    CHECK(json_of(ok)["size"] == body.size());
    auto refused = http_request(f.port(), verb::post, upload_target("c-none", "big.log"), f.token(role::customer, "alice"),
                                body, {{"Expect", "100-continue"}});
    CHECK(refused.status == 404);
}

TEST_CASE("a file sent through a node that does not own the conversation is served by any node, and after its owner dies",
          "[integration][files][cluster]") {
    cluster_fixture cluster;
    auto a = cluster.start();
    auto b = cluster.start();
    INFO(a->output() + b->output());
    auto owner = cluster.owner_of();
    auto& owning = owner == a->id() ? a : b;
    auto& other = owner == a->id() ? b : a;
    auto ada = cluster.connect(owning->port(), role::expert, "ada");
    ada->request({{"type", "presence"}, {"presence", "available"}});
    auto alice = cluster.connect(other->port(), role::customer, "alice");
    auto open = alice->request({{"type", "open"}, {"topic", "sso"}, {"text", "okta loops"}});
    REQUIRE(open["type"] == "ok");
    std::string c = open["conversation"];
    ada->wait_for("offered", c);
    REQUIRE(ada->request({{"type", "accept"}, {"conversation", c}})["type"] == "ok");

    auto log = log_text(200);
    auto sent = http_request(other->port(), verb::post, upload_target(c, "saml.log", "s1"),
                             cluster.token(role::customer, "alice"), log);
    REQUIRE(sent.status == 200);
    auto id = json_of(sent)["attachment"].get<std::string>();
    CHECK(ada->wait_for(is_file_message)["attachment"]["id"] == id);
    auto via_other = http_get(other->port(), "/api/v1/attachments/" + id, cluster.token(role::expert, "ada"));
    CHECK(via_other.status == 200);
    CHECK(via_other.body == log);

    owning->kill9();
    cluster.wait_for_owner(owner, 10s);
    http_result after;
    for (int i = 0; i < 50; ++i) { // until the survivor serves the shard
        after = http_get(other->port(), "/api/v1/attachments/" + id, cluster.token(role::customer, "alice"));
        if (after.status != 503) break;
        std::this_thread::sleep_for(100ms);
    }
    CHECK(after.status == 200);
    CHECK(after.body == log);
}

TEST_CASE("a page of an origin allowed in [origins] may upload and download, and another may not", "[integration][files][cors]") {
    server_fixture f([](chat::server::config& c) { c.allowed_origins["customer"] = {"https://app.example.com"}; });
    chatting chat(f, "export", "csv is empty");
    auto pre = http_request(f.port(), verb::options, upload_target(chat.c, "x.log"), std::nullopt, "",
                            {{"Origin", "https://app.example.com"}, {"Access-Control-Request-Method", "POST"},
                             {"Access-Control-Request-Headers", "authorization,content-type"}});
    CHECK(pre.status == 204);
    CHECK(pre.header("access-control-allow-origin") == "https://app.example.com");
    CHECK(pre.header("access-control-allow-headers").find("Authorization") != std::string::npos);
    auto sent = http_request(f.port(), verb::post, upload_target(chat.c, "x.log"), f.token(role::customer, "alice"),
                             log_text(2), {{"Origin", "https://app.example.com"}});
    REQUIRE(sent.status == 200);
    CHECK(sent.header("access-control-allow-origin") == "https://app.example.com");
    auto got = http_get(f.port(), "/api/v1/attachments/" + json_of(sent)["attachment"].get<std::string>(),
                        f.token(role::customer, "alice"), {{"Origin", "https://app.example.com"}});
    CHECK(got.header("access-control-allow-origin") == "https://app.example.com");
    CHECK(got.header("access-control-expose-headers") == "Content-Disposition");
    auto evil = http_request(f.port(), verb::options, upload_target(chat.c, "x.log"), std::nullopt, "",
                             {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "POST"}});
    CHECK(evil.status == 403);
    CHECK(evil.header("access-control-allow-origin").empty());
}

namespace {

// clamd's socket when the machine runs one (Debian's clamav-daemon), else none.
std::optional<std::string> real_clamd() {
    for (const char* p : {"/run/clamav/clamd.ctl", "/var/run/clamav/clamd.ctl"})
        if (std::filesystem::exists(p)) return std::string("unix:") + p;
    return std::nullopt;
}

const std::string eicar = R"(X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*)";

bool is_state(const nlohmann::json& j) { return j.value("type", "") == "attachment_state"; }

} // namespace

TEST_CASE("with a virus scan, a file is scanning until clamd's verdict, then clean or quarantined for both sides",
          "[integration][files][scan]") {
    temp_dir sockets;
    auto socket = sockets.path() / "clamd.sock";
    std::unique_ptr<clamd_server> local;
    auto where = real_clamd();
    if (!where) {
        local = std::make_unique<clamd_server>(socket);
        where = "unix:" + socket.string();
    }
    server_fixture f([&](chat::server::config& c) { c.files.clamd = *where; });
    chatting chat(f, "logs", "here is the log");
    auto token = f.token(role::customer, "alice");

    auto sent = json_of(upload(f, token, chat.c, "worker.log", log_text(20), "ok1"));
    CHECK(sent["state"] == "scanning");
    auto id = sent["attachment"].get<std::string>();
    CHECK(chat.ada->wait_for(is_file_message)["attachment"]["state"] == "scanning");
    auto verdict = chat.ada->wait_for(is_state);
    CHECK(verdict["conversation"] == chat.c);
    CHECK(verdict["attachment"]["id"] == id);
    CHECK(verdict["attachment"]["state"] == "clean");
    CHECK(chat.alice->wait_for(is_state)["attachment"]["state"] == "clean");
    CHECK(http_get(f.port(), "/api/v1/attachments/" + id, f.token(role::expert, "ada")).status == 200);

    auto infected = json_of(upload(f, token, chat.c, "invoice.txt", eicar, "bad1"));
    auto bad = infected["attachment"].get<std::string>();
    auto quarantined = chat.ada->wait_for([&](const nlohmann::json& j) { return is_state(j) && j["attachment"]["id"] == bad; });
    CHECK(quarantined["attachment"]["state"] == "quarantined");
    auto refused = http_get(f.port(), "/api/v1/attachments/" + bad, f.token(role::expert, "ada"));
    CHECK(refused.status == 409);
    CHECK(json_of(refused)["code"] == "quarantined");
    if (local) CHECK(local->scans() == 2);
    // The quarantine is in the tenant's audit log, by chatd itself.
    auto log = json_of(http_get(f.port(), "/api/v1/audit?from=2026-01-05T00:00:00Z&to=2026-01-06T00:00:00Z",
                                f.token(role::monitor, "lead")))["entries"];
    REQUIRE_FALSE(log.empty());
    CHECK(log.back()["action"] == "file_quarantined");
    CHECK(log.back()["actor"] == "chatd");
    CHECK(log.back()["role"] == "system");
    CHECK(log.back()["detail"] == bad + " invoice.txt");
}

TEST_CASE("a file is not served while clamd cannot be reached, and is scanned once it can", "[integration][files][scan]") {
    temp_dir sockets;
    auto socket = sockets.path() / "clamd.sock";
    server_fixture f([&](chat::server::config& c) { c.files.clamd = "unix:" + socket.string(); });
    chatting chat(f, "logs", "here is the log");
    auto id = json_of(upload(f, f.token(role::customer, "alice"), chat.c, "worker.log", log_text(5)))["attachment"].get<std::string>();
    auto early = http_get(f.port(), "/api/v1/attachments/" + id, f.token(role::expert, "ada"));
    CHECK(early.status == 409);
    CHECK(json_of(early)["code"] == "scanning");
    clamd_server late(socket); // up after the first attempt failed: the next one, a second later, succeeds
    CHECK(chat.ada->wait_for(is_state, 10s)["attachment"]["state"] == "clean");
    CHECK(http_get(f.port(), "/api/v1/attachments/" + id, f.token(role::expert, "ada")).status == 200);
}

TEST_CASE("a file whose virus scan a restart cut off is scanned when chatd comes back", "[integration][files][scan]") {
    temp_dir sockets;
    auto socket = sockets.path() / "clamd.sock";
    server_fixture f([&](chat::server::config& c) { c.files.clamd = "unix:" + socket.string(); });
    chatting chat(f, "logs", "here is the log");
    auto id = json_of(upload(f, f.token(role::customer, "alice"), chat.c, "worker.log", log_text(5)))["attachment"].get<std::string>();
    auto expert = f.token(role::expert, "ada");
    CHECK(http_get(f.port(), "/api/v1/attachments/" + id, expert).status == 409);

    f.restart(); // the scan's retries die with the process; the file is still `scanning`
    CHECK(json_of(http_get(f.port(), "/api/v1/attachments/" + id, expert))["code"] == "scanning");
    clamd_server up(socket);
    auto served = 0;
    for (auto until = std::chrono::steady_clock::now() + 10s; std::chrono::steady_clock::now() < until; std::this_thread::sleep_for(100ms))
        if ((served = http_get(f.port(), "/api/v1/attachments/" + id, expert).status) == 200) break;
    CHECK(served == 200);
    CHECK(up.scans() == 1);
}

TEST_CASE("staff are given the deployment's secret patterns for logs, customers are not", "[integration][files][secrets]") {
    server_fixture f([](chat::server::config& c) { c.files.secret_patterns = {"ACME-[0-9]{6}", "tok_[a-z]+"}; });
    auto staff = http_get(f.port(), "/api/v1/settings", f.token(role::expert, "ada"));
    REQUIRE(staff.status == 200);
    CHECK(nlohmann::json::parse(staff.body)["secret_patterns"] == nlohmann::json::array({"ACME-[0-9]{6}", "tok_[a-z]+"}));
    CHECK(http_get(f.port(), "/api/v1/settings", f.token(role::monitor, "lead")).status == 200);
    CHECK(http_get(f.port(), "/api/v1/settings", f.token(role::customer, "alice")).status == 403);
    CHECK(http_get(f.port(), "/api/v1/settings").status == 401);
}
