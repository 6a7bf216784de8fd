#pragma once
// A real redis-server in a temporary directory, for tests that need Redis; removed afterwards.

#include "chat/server/redis/embedded.hpp"

#include <filesystem>
#include <random>
#include <string>

namespace chat::test {

class temp_dir {
public:
    temp_dir() {
        std::random_device rd;
        path_ = std::filesystem::temp_directory_path() / ("chat-test-" + std::to_string(rd()) + std::to_string(rd()));
        std::filesystem::create_directories(path_);
    }
    ~temp_dir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

struct redis_fixture {
    temp_dir dir;
    server::redis::embedded_server server{dir.path() / "redis"};
};

} // namespace chat::test
