#include "chat/server/store/owner_lease.hpp"

#include "chat/server/log.hpp"

#include <boost/asio/post.hpp>

#include <mutex>
#include <random>
#include <set>
#include <sstream>

#include <signal.h>
#include <unistd.h>

namespace chat::server {
namespace {

// KEYS[1] the lease; ARGV: me, ttl ms, a dead holder's text that may be replaced (or "").
// Returns {epoch} when taken, else {0, holder, ms left}.
constexpr const char* take_script = R"(
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local holder = redis.call('HGET', KEYS[1], 'holder')
local untl = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
if holder and holder ~= '' and untl > now and holder ~= ARGV[3] then
  return {0, holder, untl - now}
end
local epoch = redis.call('HINCRBY', KEYS[1], 'epoch', 1)
redis.call('HSET', KEYS[1], 'holder', ARGV[1], 'until', now + tonumber(ARGV[2]))
return {epoch}
)";

// ARGV: me, ttl ms, my epoch. 1: renewed (or taken back: nobody held it since); 0: lost.
constexpr const char* renew_script = R"(
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local holder = redis.call('HGET', KEYS[1], 'holder')
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if epoch ~= ARGV[3] then return 0 end
if holder ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'until', now + tonumber(ARGV[2]))
return 1
)";

// ARGV: me, my epoch. Ends the lease now, keeping the epoch.
constexpr const char* release_script = R"(
if redis.call('HGET', KEYS[1], 'holder') == ARGV[1] and redis.call('HGET', KEYS[1], 'epoch') == ARGV[2] then
  redis.call('HSET', KEYS[1], 'until', 0)
  return 1
end
return 0
)";

std::string host_name() {
    char name[256] = {};
    if (gethostname(name, sizeof name - 1) != 0) return "unknown";
    return name;
}

} // namespace

std::string lease_holder::text() const { return host + ' ' + std::to_string(pid) + ' ' + nonce; }

std::optional<lease_holder> lease_holder::parse(std::string_view text) {
    std::istringstream in{std::string(text)};
    lease_holder h;
    if (!(in >> h.host >> h.pid >> h.nonce)) return std::nullopt;
    return h;
}

namespace {
std::mutex incarnations_mutex;
std::set<std::string>& incarnations() {
    static std::set<std::string> live;
    return live;
}
} // namespace

void lease_holder::alive(const std::string& nonce, bool yes) {
    std::lock_guard lock(incarnations_mutex);
    if (yes) incarnations().insert(nonce);
    else incarnations().erase(nonce);
}

bool lease_holder::dead_on_this_host() const {
    if (host != host_name() || pid <= 0) return false;
    if (pid == getpid()) {
        std::lock_guard lock(incarnations_mutex);
        return !incarnations().count(nonce);
    }
    return kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

lease_holder lease_holder::of_this_process() {
    std::random_device rd;
    std::ostringstream nonce;
    nonce << std::hex << rd() << rd();
    return {host_name(), static_cast<long>(getpid()), nonce.str()};
}

owner_lease::owner_lease(boost::asio::any_io_executor strand, std::shared_ptr<redis::client> redis, options opts)
    : strand_(strand), redis_(std::move(redis)), opts_(opts), me_(lease_holder::of_this_process()), timer_(strand) {
    lease_holder::alive(me_.nonce, true);
}

owner_lease::~owner_lease() { lease_holder::alive(me_.nonce, false); }

bool owner_lease::held() const { return clock::now().time_since_epoch().count() < safe_until_.load(); }

void owner_lease::acquire(std::function<void(std::optional<std::string>)> done) {
    boost::asio::post(strand_, [self = shared_from_this(), done = std::move(done)]() mutable {
        self->take("", clock::now() + self->opts_.wait, std::move(done));
    });
}

void owner_lease::take(const std::string& dead_holder, clock::time_point give_up,
                       std::function<void(std::optional<std::string>)> done) {
    if (stopped_) return done("stopped");
    auto sent = clock::now();
    redis_->exec({{"EVAL", take_script, "1", key_, me_.text(), std::to_string(opts_.ttl.count()), dead_holder}},
                 [self = shared_from_this(), sent, give_up, done = std::move(done)](std::error_code ec,
                                                                                  redis::client::replies r) mutable {
        auto retry = [&](std::chrono::milliseconds after, std::string why) {
            if (clock::now() + after > give_up) return done(std::move(why));
            self->timer_.expires_after(after);
            self->timer_.async_wait([self, give_up, done = std::move(done)](boost::system::error_code e) mutable {
                if (e) return done("stopped");
                self->take("", give_up, std::move(done));
            });
        };
        if (ec || r.empty() || r[0].type != redis::value::kind::array || r[0].elements.empty())
            return retry(std::chrono::milliseconds(200),
                         "cannot take the owner lease: " + (ec ? ec.message() : std::string("unexpected reply")));
        const auto& e = r[0].elements;
        if (e[0].integer > 0) {
            self->epoch_ = e[0].integer;
            if (self->said_waiting_) log("took the owner lease of Redis (epoch ", self->epoch_, ")");
            self->confirmed(sent);
            self->schedule_renewal();
            return done(std::nullopt);
        }
        auto holder_text = e.size() > 1 ? e[1].text : std::string();
        auto left = std::chrono::milliseconds(e.size() > 2 ? e[2].integer : 0);
        auto holder = lease_holder::parse(holder_text);
        if (holder && holder->dead_on_this_host()) {
            log("the owner lease is held by ", holder_text, ", a process no longer running here: taking it over");
            return self->take(holder_text, give_up, std::move(done));
        }
        if (!self->said_waiting_) {
            self->said_waiting_ = true;
            log("waiting for the owner lease of Redis, held by chatd ", holder_text, " (lapses in ", left.count(),
                " ms unless renewed); not ready until then");
        }
        retry(std::min(std::chrono::milliseconds(500), left + std::chrono::milliseconds(10)),
              "another chatd (" + holder_text + ") owns this Redis and keeps renewing its lease: run this one on "
              "its own Redis, or stop the other first");
    });
}

void owner_lease::confirmed(clock::time_point sent) {
    // Redis starts the lease when it runs the script, after `sent`; a margin covers its clock
    // running a little faster than ours.
    auto safe = sent + opts_.ttl - opts_.ttl / 5;
    safe_until_.store(safe.time_since_epoch().count());
}

void owner_lease::schedule_renewal() {
    if (stopped_ || lost_) return;
    timer_.expires_after(opts_.renew_every);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (!ec) self->renew();
    });
}

void owner_lease::renew() {
    auto sent = clock::now();
    redis_->exec({{"EVAL", renew_script, "1", key_, me_.text(), std::to_string(opts_.ttl.count()), std::to_string(epoch_)}},
                 [self = shared_from_this(), sent](std::error_code ec, redis::client::replies r) {
        if (self->stopped_) return;
        if (!ec && !r.empty() && r[0].type == redis::value::kind::integer) {
            if (r[0].integer == 1) {
                self->confirmed(sent);
            } else {
                self->lost_ = true;
                self->safe_until_.store(0);
                log("lost the owner lease of Redis to another chatd: this node stops writing (restart it)");
                return;
            }
        }
        // A failed renewal is retried; the lease stays safe until it would have lapsed.
        self->schedule_renewal();
    });
}

void owner_lease::release(std::function<void()> done) {
    boost::asio::post(strand_, [self = shared_from_this(), done = std::move(done)]() mutable {
        self->stopped_ = true;
        self->timer_.cancel();
        self->safe_until_.store(0);
        if (self->epoch_ == 0 || self->lost_ || !self->redis_->connected()) return done();
        self->redis_->exec({{"EVAL", release_script, "1", self->key_, self->me_.text(), std::to_string(self->epoch_)}},
                           [done = std::move(done)](std::error_code, redis::client::replies) { done(); });
    });
}

} // namespace chat::server
