#include "chat/server/files/file_store.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cerrno>
#include <chrono>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace chat::server::files {
namespace fs = std::filesystem;
namespace {

[[noreturn]] void fail(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }

// Makes a rename in `dir` durable.
void sync_dir(const fs::path& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

std::string random_name() {
    unsigned char bytes[12];
    RAND_bytes(bytes, sizeof bytes);
    static constexpr char hex[] = "0123456789abcdef";
    std::string name;
    for (auto b : bytes) {
        name += hex[b >> 4];
        name += hex[b & 15];
    }
    return name;
}

class directory_upload final : public file_upload {
public:
    directory_upload(fs::path root) : root_(std::move(root)), temp_(root_ / "tmp" / (random_name() + ".part")) {
        fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
        if (fd_ < 0) fail("cannot create " + temp_.string());
    }
    ~directory_upload() override {
        if (fd_ >= 0) ::close(fd_);
        if (!kept_) ::unlink(temp_.c_str());
    }
    void write(std::string_view bytes) override {
        hash_.add(bytes);
        size_ += bytes.size();
        while (!bytes.empty()) {
            auto n = ::write(fd_, bytes.data(), bytes.size());
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) fail("cannot write " + temp_.string());
            bytes.remove_prefix(static_cast<std::size_t>(n));
        }
    }
    std::string keep() override {
        if (::fsync(fd_) != 0) fail("cannot sync " + temp_.string());
        ::close(fd_);
        fd_ = -1;
        auto digest = hash_.hex();
        auto dir = root_ / digest.substr(0, 2) / digest.substr(2, 2);
        fs::create_directories(dir);
        auto final_path = dir / digest;
        // The same bytes may be there already (sent before, or by another node just now): same name, same bytes.
        if (::rename(temp_.c_str(), final_path.c_str()) != 0) fail("cannot store " + final_path.string());
        kept_ = true;
        sync_dir(dir);
        return digest;
    }
    std::uint64_t size() const override { return size_; }

private:
    fs::path root_, temp_;
    int fd_ = -1;
    bool kept_ = false;
    std::uint64_t size_ = 0;
    sha256 hash_;
};

class directory_reader final : public file_reader {
public:
    directory_reader(int fd, std::uint64_t size) : fd_(fd), size_(size) {}
    ~directory_reader() override { ::close(fd_); }
    std::size_t read(char* into, std::size_t n) override {
        for (;;) {
            auto got = ::read(fd_, into, n);
            if (got < 0 && errno == EINTR) continue;
            if (got < 0) fail("cannot read a stored file");
            return static_cast<std::size_t>(got);
        }
    }
    std::uint64_t size() const override { return size_; }

private:
    int fd_;
    std::uint64_t size_;
};

class directory_file_store final : public file_store {
public:
    explicit directory_file_store(fs::path root) : root_(std::move(root)) {
        fs::create_directories(root_ / "tmp");
        remove_stale_uploads();
    }
    std::unique_ptr<file_upload> begin() override { return std::make_unique<directory_upload>(root_); }
    std::unique_ptr<file_reader> open(const std::string& digest) override {
        if (digest.size() != 64 || digest.find_first_not_of("0123456789abcdef") != std::string::npos) return nullptr;
        auto path = root_ / digest.substr(0, 2) / digest.substr(2, 2) / digest;
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return nullptr;
        struct stat st {};
        if (::fstat(fd, &st) != 0) {
            ::close(fd);
            return nullptr;
        }
        return std::make_unique<directory_reader>(fd, static_cast<std::uint64_t>(st.st_size));
    }

private:
    // Another node's upload in flight is young: only parts a day old are a dead process's.
    void remove_stale_uploads() {
        std::error_code ec;
        auto cutoff = fs::file_time_type::clock::now() - std::chrono::hours(24);
        for (const auto& e : fs::directory_iterator(root_ / "tmp", ec))
            if (e.path().extension() == ".part" && e.last_write_time(ec) < cutoff) fs::remove(e.path(), ec);
    }

    fs::path root_;
};

} // namespace

std::shared_ptr<file_store> directory_store(const fs::path& root) { return std::make_shared<directory_file_store>(root); }

sha256::sha256() : ctx_(EVP_MD_CTX_new()) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) throw std::runtime_error("OpenSSL: no SHA-256");
}

sha256::~sha256() { EVP_MD_CTX_free(ctx_); }

void sha256::add(std::string_view bytes) { EVP_DigestUpdate(ctx_, bytes.data(), bytes.size()); }

std::string sha256::hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx_, digest, &n);
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < n; ++i) {
        out += digits[digest[i] >> 4];
        out += digits[digest[i] & 15];
    }
    return out;
}

std::string sha256::of(std::string_view bytes) {
    sha256 h;
    h.add(bytes);
    return h.hex();
}

} // namespace chat::server::files
