#include "chat/server/net/virus_scan.hpp"

#include "chat/server/files/clamd.hpp"
#include "chat/server/log.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace chat::server {
namespace {

constexpr int attempts = 5;

void attempt(std::shared_ptr<gateway> gw, identity who, std::string id, std::string sha, int tried) {
    boost::asio::post(gw->disk, [gw, who = std::move(who), id = std::move(id), sha = std::move(sha), tried]() mutable {
        files::scan_verdict v;
        if (auto file = gw->files->open(sha)) v = files::clamd_scan(gw->cfg.files.clamd, *file, gw->cfg.files.scan_timeout);
        else v.detail = "the file is missing from the file store";
        if (v.what == files::scan_verdict::kind::failed) {
            log("virus scan of ", id, " failed (attempt ", tried + 1, " of ", attempts, "): ", v.detail);
            if (tried + 1 >= attempts) return; // stays `scanning`: never served unscanned
            auto timer = std::make_shared<boost::asio::steady_timer>(gw->disk, std::chrono::seconds(1 << tried));
            timer->async_wait([gw, who, id, sha, tried, timer](boost::system::error_code ec) {
                if (!ec) attempt(gw, who, id, sha, tried + 1);
            });
            return;
        }
        bool clean = v.what == files::scan_verdict::kind::clean;
        if (!clean) log("virus scan: ", id, " quarantined (", v.detail, ")");
        auto verdict = nlohmann::json{{"attachment", id}, {"state", clean ? "clean" : "quarantined"}}.dump();
        gw->node->read(who, cluster::node::read_kind::scanned, verdict, [id](int status, nlohmann::json answer) {
            if (status != 200) log("virus scan: the verdict on ", id, " was not stored: ", answer.dump());
        });
    });
}

} // namespace

void scan_file(std::shared_ptr<gateway> gw, identity uploader, std::string attachment, std::string sha256) {
    attempt(std::move(gw), std::move(uploader), std::move(attachment), std::move(sha256), 0);
}

} // namespace chat::server
