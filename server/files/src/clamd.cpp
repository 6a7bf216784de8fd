#include "chat/server/files/clamd.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace chat::server::files {
namespace {

using steady = std::chrono::steady_clock;

class connection {
public:
    explicit connection(steady::time_point deadline) : deadline_(deadline) {}
    ~connection() {
        if (fd_ >= 0) ::close(fd_);
    }
    std::string open(const std::string& where) {
        if (where.rfind("unix:", 0) == 0) {
            sockaddr_un addr{};
            addr.sun_family = AF_UNIX;
            auto path = where.substr(5);
            if (path.size() >= sizeof addr.sun_path) return "the socket path is too long";
            std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
            fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return "cannot connect to " + where + ": " + std::strerror(errno);
            return {};
        }
        if (where.rfind("tcp:", 0) != 0) return "clamd must be unix:PATH or tcp:HOST:PORT, not " + where;
        auto hostport = where.substr(4);
        auto colon = hostport.rfind(':');
        if (colon == std::string::npos) return "clamd must be tcp:HOST:PORT, not " + where;
        addrinfo hints{};
        hints.ai_socktype = SOCK_STREAM;
        addrinfo* found = nullptr;
        if (::getaddrinfo(hostport.substr(0, colon).c_str(), hostport.substr(colon + 1).c_str(), &hints, &found) != 0 || !found)
            return "cannot resolve " + where;
        fd_ = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int rc = ::connect(fd_, found->ai_addr, found->ai_addrlen);
        ::freeaddrinfo(found);
        if (rc != 0) return "cannot connect to " + where + ": " + std::strerror(errno);
        return {};
    }
    // Waits for the socket, at most until the deadline.
    bool ready(short events) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - steady::now()).count();
        if (left <= 0) return false;
        pollfd p{fd_, events, 0};
        return ::poll(&p, 1, static_cast<int>(left)) == 1;
    }
    bool send_all(const char* data, std::size_t n) {
        while (n) {
            if (!ready(POLLOUT)) return false;
            auto sent = ::send(fd_, data, n, MSG_NOSIGNAL);
            if (sent < 0 && errno == EINTR) continue;
            if (sent <= 0) return false; // clamd closes early when a stream is over its StreamMaxLength
            data += sent;
            n -= static_cast<std::size_t>(sent);
        }
        return true;
    }
    std::string reply() {
        std::string r;
        char buf[256];
        while (ready(POLLIN)) {
            auto got = ::recv(fd_, buf, sizeof buf, 0);
            if (got < 0 && errno == EINTR) continue;
            if (got <= 0) break;
            r.append(buf, static_cast<std::size_t>(got));
            if (r.find('\0') != std::string::npos) break;
        }
        return r.substr(0, r.find('\0'));
    }

private:
    int fd_ = -1;
    steady::time_point deadline_;
};

} // namespace

scan_verdict clamd_scan(const std::string& where, file_reader& file, std::chrono::milliseconds timeout) {
    connection c(steady::now() + timeout);
    if (auto problem = c.open(where); !problem.empty()) return {scan_verdict::kind::failed, problem};
    static constexpr char command[] = "zINSTREAM"; // z: NUL-terminated command and reply
    bool sent = c.send_all(command, sizeof command);
    std::vector<char> chunk(4 + 64 * 1024);
    while (sent) {
        auto n = file.read(chunk.data() + 4, chunk.size() - 4);
        std::uint32_t length = htonl(static_cast<std::uint32_t>(n));
        std::memcpy(chunk.data(), &length, 4);
        sent = c.send_all(chunk.data(), 4 + n);
        if (n == 0) break; // the zero-length chunk ends the stream
    }
    auto reply = c.reply(); // "stream: OK", "stream: Eicar-Signature FOUND", "INSTREAM size limit exceeded. ERROR"
    if (reply.size() >= 3 && reply.compare(reply.size() - 3, 3, " OK") == 0) return {scan_verdict::kind::clean, {}};
    if (reply.size() > 6 && reply.compare(reply.size() - 6, 6, " FOUND") == 0) {
        auto colon = reply.find(": ");
        auto signature = colon == std::string::npos ? reply : reply.substr(colon + 2, reply.size() - 6 - colon - 2);
        return {scan_verdict::kind::infected, signature};
    }
    return {scan_verdict::kind::failed, reply.empty() ? "clamd did not answer in time" : "clamd answered: " + reply};
}

} // namespace chat::server::files
