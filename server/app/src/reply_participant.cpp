#include "chat/server/app/reply_participant.hpp"

namespace chat::server {

std::shared_ptr<reply_participant> reply_participant::make(identity who, handler done) {
    std::shared_ptr<reply_participant> p(new reply_participant(std::move(who), std::move(done)));
    p->self_ = p;
    return p;
}

void reply_participant::answer(const std::string& text) {
    handler done;
    std::shared_ptr<reply_participant> keep;
    {
        std::lock_guard lock(mutex_);
        done = std::exchange(done_, nullptr);
        keep = std::exchange(self_, nullptr);
    }
    if (!done) return;
    auto json = nlohmann::json::parse(text, nullptr, false);
    done(json.is_discarded() ? nlohmann::json::object() : json);
}

} // namespace chat::server
