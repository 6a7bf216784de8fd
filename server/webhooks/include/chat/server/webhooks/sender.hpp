#pragma once
// One shard's webhook deliveries, run by the shard's owner alone, on the shard's strand. For
// each endpoint: the outbox's events after its place, then its retries as they fall due. What
// happened is written back fenced by the shard's epoch, so a node that lost the shard cannot
// move anything; at least once, with the event id as the receivers' idempotency key.

#include "chat/server/app/counters.hpp"
#include "chat/server/store/store.hpp"
#include "chat/server/webhooks/endpoint.hpp"
#include "chat/server/webhooks/post_result.hpp"
#include "chat/server/webhooks/retry_schedule.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <deque>
#include <memory>
#include <random>
#include <unordered_set>

namespace chat::server::webhooks {

class sender : public std::enable_shared_from_this<sender> {
public:
    // `store` answers on `strand`, the shard's; `tls` has one context per endpoint (none for http).
    sender(boost::asio::any_io_executor strand, std::shared_ptr<server::store> store, std::shared_ptr<const config> cfg,
           std::vector<tls_context_ptr> tls, std::shared_ptr<hub_counters> counters);
    ~sender();
    void start();
    // The outbox has new events (from any thread).
    void wake();
    // Nothing more is sent or written (from any thread).
    void stop();

private:
    struct lane;
    using batch_ptr = std::shared_ptr<write_batch>;

    void pump(lane& l);
    void after_due(lane& l, std::vector<webhook_retry> due, std::optional<std::int64_t> next);
    void retry_each(lane& l, std::shared_ptr<std::vector<webhook_retry>> due, std::size_t i, batch_ptr batch,
                    std::optional<std::int64_t> next);
    void take_each(lane& l, std::shared_ptr<std::vector<webhook_event>> events, std::size_t i, batch_ptr batch);
    void attempt(lane& l, webhook_event& e, int attempt_no, std::function<void(post_result)> done);
    // A try of `r` failed: retried later, or given up as a dead letter after the last one.
    void failed(lane& l, webhook_retry& r, const post_result& res, write_batch& b);
    void complete(webhook_event& e, std::function<void(bool)> done);
    // Writes what the round did; `taken`: the lane's new place in the outbox, once written.
    void settle(lane& l, batch_ptr batch, std::optional<std::int64_t> next, std::optional<std::string> taken = {});
    void idle(lane& l, std::optional<std::int64_t> next);
    // The outbox below every lane's place goes (this lane's being `taken`).
    void trim(write_batch& b, const lane& taking, const std::string& taken) const;
    static std::int64_t now_ms();

    boost::asio::any_io_executor strand_;
    std::shared_ptr<server::store> store_;
    std::shared_ptr<const config> cfg_;
    std::shared_ptr<hub_counters> counters_;
    std::vector<std::unique_ptr<lane>> lanes_;
    std::mt19937_64 random_{std::random_device{}()};
    bool stopped_ = false;
};

} // namespace chat::server::webhooks
