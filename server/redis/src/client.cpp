#include "chat/server/redis/client.hpp"

#include "chat/server/redis/cluster_routes.hpp"

#include "chat/server/log.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <csignal>

namespace chat::server::redis {
namespace {

class redis_category : public std::error_category {
public:
    const char* name() const noexcept override { return "chat.redis"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
        case errc::unavailable: return "Redis is unavailable";
        case errc::timeout: return "Redis did not answer in time";
        case errc::stopped: return "the Redis client stopped";
        case errc::loading: return "Redis is loading its dataset";
        case errc::error_reply: return "Redis answered with an error";
        case errc::fenced: return "another node owns this shard now";
        case errc::not_replicated: return "no replica confirmed the write in time";
        }
        return "Redis error";
    }
};

value convert(const redisReply* r) {
    value v;
    switch (r->type) {
    case REDIS_REPLY_STRING: v.type = value::kind::string; v.text.assign(r->str, r->len); break;
    case REDIS_REPLY_STATUS: v.type = value::kind::status; v.text.assign(r->str, r->len); break;
    case REDIS_REPLY_ERROR: v.type = value::kind::error; v.text.assign(r->str, r->len); break;
    case REDIS_REPLY_INTEGER: v.type = value::kind::integer; v.integer = r->integer; break;
    case REDIS_REPLY_ARRAY:
        v.type = value::kind::array;
        v.elements.reserve(r->elements);
        for (std::size_t i = 0; i < r->elements; ++i) v.elements.push_back(convert(r->element[i]));
        break;
    default: break;
    }
    return v;
}

} // namespace

std::error_code error_of(const value& v) {
    return make_error_code(v.text.rfind("LOADING", 0) == 0 ? errc::loading : errc::error_reply);
}

const std::error_category& category() {
    static redis_category c;
    return c;
}

std::string endpoint::describe() const {
    if (!unix_path.empty()) return "unix://" + unix_path + (db ? "?db=" + std::to_string(db) : "");
    if (via_cluster()) {
        std::string set;
        for (const auto& a : cluster) set += (set.empty() ? "" : ",") + a.host + ':' + std::to_string(a.port);
        return "redis-cluster://" + set;
    }
    if (via_sentinel()) {
        std::string set;
        for (const auto& a : sentinels) set += (set.empty() ? "" : ",") + a.host + ':' + std::to_string(a.port);
        return "redis-sentinel://" + set + '/' + master + (db ? '/' + std::to_string(db) : "");
    }
    return "redis://" + host + ':' + std::to_string(port) + '/' + std::to_string(db);
}

namespace {

std::optional<int> number_in(std::string_view text, int low, int high) {
    if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
    int n = std::stoi(std::string(text));
    return n < low || n > high ? std::nullopt : std::optional(n);
}

std::optional<endpoint::address> host_port(std::string_view text, int default_port) {
    endpoint::address a{std::string(text), default_port};
    if (auto colon = text.rfind(':'); colon != std::string_view::npos) {
        auto port = number_in(text.substr(colon + 1), 1, 65535);
        if (!port) return std::nullopt;
        a.host = std::string(text.substr(0, colon));
        a.port = *port;
    }
    if (a.host.empty()) return std::nullopt;
    return a;
}

// "host:port,host:port" (each port optional).
std::optional<std::vector<endpoint::address>> address_list(std::string_view hosts, int default_port) {
    std::vector<endpoint::address> list;
    for (std::size_t at = 0; at <= hosts.size();) {
        auto comma = std::min(hosts.find(',', at), hosts.size());
        auto a = host_port(hosts.substr(at, comma - at), default_port);
        if (!a) return std::nullopt;
        list.push_back(*a);
        at = comma + 1;
    }
    return list;
}

} // namespace

std::optional<endpoint> parse_url(std::string_view url) {
    endpoint e;
    if (url.rfind("unix://", 0) == 0) {
        e.unix_path = std::string(url.substr(7));
        return e.unix_path.empty() ? std::nullopt : std::optional(e);
    }
    const std::string_view sentinel_scheme = "redis-sentinel://", plain_scheme = "redis://", cluster_scheme = "redis-cluster://";
    if (url.rfind(cluster_scheme, 0) == 0) {
        // host:port,host:port (a Cluster has one database)
        auto hosts = url.substr(cluster_scheme.size());
        auto nodes = hosts.find('/') == std::string_view::npos ? address_list(hosts, 6379) : std::nullopt;
        if (!nodes) return std::nullopt;
        e.cluster = std::move(*nodes);
        return e;
    }
    bool sentinel = url.rfind(sentinel_scheme, 0) == 0;
    if (!sentinel && url.rfind(plain_scheme, 0) != 0) return std::nullopt;
    auto rest = url.substr(sentinel ? sentinel_scheme.size() : plain_scheme.size());
    auto slash = rest.find('/');
    auto hosts = rest.substr(0, slash);
    auto path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (sentinel) {
        // host:port,host:port/MASTER[/db]
        auto sentinels = address_list(hosts, 26379);
        if (!sentinels) return std::nullopt;
        e.sentinels = std::move(*sentinels);
        auto next = path.find('/');
        e.master = std::string(path.substr(0, next));
        if (e.master.empty()) return std::nullopt;
        path = next == std::string_view::npos ? std::string_view() : path.substr(next + 1);
    } else {
        auto a = host_port(hosts, 6379);
        if (!a) return std::nullopt;
        e.host = a->host;
        e.port = a->port;
    }
    if (!path.empty()) {
        auto db = number_in(path, 0, 65535);
        if (!db) return std::nullopt;
        e.db = *db;
    }
    return e;
}

// One pipeline in flight: hiredis calls on_reply once per command, in order.
struct client::batch {
    client* owner;
    handler done;
    replies got;
    std::size_t expected;
    std::size_t received = 0;
    bool answered = false; // `done` was already called (failed early)
    std::chrono::steady_clock::time_point deadline;
};

client::client(boost::asio::any_io_executor executor, endpoint where, options opts)
    : executor_(executor), where_(std::move(where)), opts_(opts), backoff_(opts.backoff_min),
      reconnect_timer_(executor), deadline_timer_(executor), health_timer_(executor) {}

client::~client() {
    stopped_ = true;
    for (auto* b : in_flight_) b->answered = true; // nobody is left to tell
    in_flight_.clear();
    if (ctx_) redisAsyncFree(ctx_);
}

void client::start() {
    // hiredis writes with write(2): a Redis that died mid-write would end the whole process with
    // SIGPIPE. Ignored process-wide (once); the write then fails with EPIPE and we reconnect.
    static const bool sigpipe_ignored = [] { return std::signal(SIGPIPE, SIG_IGN) != SIG_ERR; }();
    (void)sigpipe_ignored;
    boost::asio::post(executor_, [self = shared_from_this()] {
        if (self->where_.via_cluster() && self->channels_.empty()) return self->start_routes();
        self->connect();
        self->arm_health_check();
    });
}

void client::start_routes() {
    std::vector<node_address> seeds;
    for (const auto& a : where_.cluster) seeds.push_back({a.host, a.port});
    routes_ = std::make_shared<cluster_routes>(executor_, std::move(seeds), opts_, [weak = weak_from_this()](bool up) {
        auto self = weak.lock();
        if (!self || self->stopped_) return;
        if (up) return self->came_up();
        if (self->up_.exchange(false)) {
            self->down_since_ = std::chrono::steady_clock::now();
            log("Redis Cluster at ", self->where_.describe(), ": a master does not answer; reading the slot map again");
            if (self->on_state_) self->on_state_(false);
        }
    });
    routes_->start();
}

void client::arm_health_check() {
    health_timer_.expires_after(opts_.health_every);
    health_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
        auto self = weak.lock();
        if (ec || !self || self->stopped_) return;
        // Requests in flight carry their own deadlines; an idle connection is asked (a
        // subscriber is watched by its owner instead: it may send nothing but subscriptions).
        if (self->up_ && self->ctx_ && self->in_flight_.empty() && self->channels_.empty())
            self->submit({{"PING"}}, [](std::error_code, replies) {});
        self->arm_health_check();
    });
}

void client::stop() {
    // Posted: stop() may be called from a reply handler, inside hiredis, where freeing is unsafe.
    boost::asio::post(executor_, [self = shared_from_this()] {
        if (self->stopped_) return;
        self->stopped_ = true;
        if (self->asking_) self->asking_->stop();
        self->asking_.reset();
        if (self->routes_) self->routes_->stop();
        self->reconnect_timer_.cancel();
        self->deadline_timer_.cancel();
        self->health_timer_.cancel();
        self->fail_in_flight(make_error_code(errc::stopped));
        if (self->ctx_) redisAsyncFree(self->ctx_);
        self->ctx_ = nullptr;
        self->up_ = false;
    });
}

void client::connect() {
    if (stopped_ || ctx_ || asking_) return;
    if (where_.via_sentinel() && !master_) return ask_sentinel(0);
    // A Cluster's subscriber: any node will do (a publish reaches every node); the next one
    // when this one fails.
    if (where_.via_cluster() && !master_) {
        const auto& next = where_.cluster[seed_turn_++ % where_.cluster.size()];
        master_ = endpoint::address{next.host, next.port};
    }
    const auto& host = master_ ? master_->host : where_.host;
    int port = master_ ? master_->port : where_.port;
    redisAsyncContext* ac = where_.unix_path.empty() ? redisAsyncConnect(host.c_str(), port)
                                                     : redisAsyncConnectUnix(where_.unix_path.c_str());
    if (!ac) return schedule_reconnect();
    if (ac->err) {
        redisAsyncFree(ac);
        return schedule_reconnect();
    }
    ctx_ = ac;
    ac->data = this;
    attach();
    // The connect callback is set last: setting it asks for the first write event.
    redisAsyncSetDisconnectCallback(ac, &client::on_disconnect);
    redisAsyncSetConnectCallback(ac, &client::on_connect);
}

void client::ask_sentinel(std::size_t i) {
    if (stopped_) return;
    if (i == where_.sentinels.size()) {
        asking_.reset();
        return schedule_reconnect();
    }
    // A client of its own per Sentinel asked, given up after one request's deadline.
    endpoint at;
    at.host = where_.sentinels[i].host;
    at.port = where_.sentinels[i].port;
    options o = opts_;
    o.health_every = std::chrono::hours(1);
    asking_ = std::make_shared<client>(executor_, at, o);
    auto answered = std::make_shared<bool>(false);
    auto give_up = std::make_shared<boost::asio::steady_timer>(executor_, opts_.request_timeout);
    auto next = [weak = weak_from_this(), i, answered, give_up](std::optional<endpoint::address> found) {
        auto self = weak.lock();
        if (!self || std::exchange(*answered, true)) return;
        give_up->cancel();
        if (self->asking_) self->asking_->stop();
        self->asking_.reset();
        if (found) return self->master_found(*found);
        self->ask_sentinel(i + 1);
    };
    give_up->async_wait([next](boost::system::error_code ec) {
        if (!ec) next(std::nullopt);
    });
    asking_->on_state_change([asking = std::weak_ptr<client>(asking_), master = where_.master, next](bool up) {
        auto sentinel = asking.lock();
        if (!up || !sentinel) return;
        sentinel->exec({{"SENTINEL", "get-master-addr-by-name", master}}, [next](std::error_code ec, replies r) {
            if (ec || r.empty() || r[0].elements.size() != 2) return next(std::nullopt);
            auto port = number_in(r[0].elements[1].text, 1, 65535);
            if (!port) return next(std::nullopt);
            next(endpoint::address{r[0].elements[0].text, *port});
        });
    });
    asking_->start();
}

void client::master_found(endpoint::address at) {
    if (!master_ || master_->host != at.host || master_->port != at.port)
        log("Redis master \"", where_.master, "\" is at ", at.host, ':', at.port, " (Sentinel)");
    master_ = std::move(at);
    connect();
}

void client::attach() {
    ++generation_;
    socket_ = std::make_unique<boost::asio::posix::stream_descriptor>(executor_, ctx_->c.fd);
    reading_ = read_waiting_ = writing_ = write_waiting_ = false;
    ctx_->ev.data = this;
    ctx_->ev.addRead = &client::add_read;
    ctx_->ev.delRead = &client::del_read;
    ctx_->ev.addWrite = &client::add_write;
    ctx_->ev.delWrite = &client::del_write;
    ctx_->ev.cleanup = &client::cleanup;
}

void client::on_connect(const redisAsyncContext* ac, int status) {
    auto* self = static_cast<client*>(ac->data);
    if (status != REDIS_OK) {
        // hiredis frees the context after this; cleanup() forgets it.
        self->schedule_reconnect();
        return;
    }
    if (!self->channels_.empty()) {
        // A subscriber: up once every subscription is confirmed (on_push counts them).
        self->confirmed_ = 0;
        for (const auto& ch : self->channels_)
            redisAsyncCommand(self->ctx_, &client::on_push, self, "SUBSCRIBE %b", ch.data(), ch.size());
        return;
    }
    // Connected is not answering (a stopped Redis still accepts connections): up only once
    // it answers; a PING past the deadline drops this connection and tries again.
    std::vector<command> hello;
    if (self->where_.db != 0) hello.push_back({"SELECT", std::to_string(self->where_.db)});
    hello.push_back({"PING"});
    // What a Sentinel named may have been demoted since: only a master will do.
    if (self->where_.via_sentinel()) hello.push_back({"ROLE"});
    self->submit(std::move(hello), [weak = self->weak_from_this()](std::error_code ec, replies r) {
        auto me = weak.lock();
        if (!me || ec || me->stopped_) return;
        if (me->where_.via_sentinel() && (r.back().elements.empty() || r.back().elements[0].text != "master"))
            return me->not_master("answers as a replica");
        // LOADING is an answer: Redis is up and reading its data (the hub waits for it).
        for (const auto& v : r)
            if (v.is_error() && error_of(v) != errc::loading) {
                log("Redis at ", me->where_.describe(), " refused the connection: ", v.text);
                return;
            }
        me->came_up();
    });
}

void client::came_up() {
    backoff_ = opts_.backoff_min;
    if (up_.exchange(true)) return;
    if (was_ever_up_) {
        auto down = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - down_since_);
        log("Redis at ", where_.describe(), " is answering again after ", down.count(), " ms");
    }
    was_ever_up_ = true;
    if (on_state_) on_state_(true);
}

void client::on_disconnect(const redisAsyncContext* ac, int) {
    auto* self = static_cast<client*>(ac->data);
    self->went_down();
}

void client::not_master(const char* why) {
    log("Redis at ", master_ ? master_->host + ':' + std::to_string(master_->port) : where_.describe(), ' ', why,
        "; asking the Sentinels again");
    // Not from inside hiredis's callback: dropped once it returned.
    boost::asio::post(executor_, [weak = weak_from_this(), gen = generation_] {
        if (auto self = weak.lock(); self && self->generation_ == gen) self->drop_connection("is not the master");
    });
}

void client::went_down() {
    if (stopped_) return;
    bool was_up = up_.exchange(false);
    fail_in_flight(make_error_code(errc::unavailable));
    if (was_up) {
        down_since_ = std::chrono::steady_clock::now();
        log("Redis at ", where_.describe(), " closed the connection; reconnecting");
        if (on_state_) on_state_(false);
    }
    schedule_reconnect();
}

void client::schedule_reconnect() {
    if (stopped_) return;
    // Via Sentinel the master may have moved, via Cluster the seed may be gone: ask again.
    master_.reset();
    reconnect_timer_.expires_after(backoff_);
    backoff_ = std::min(backoff_ * 2, opts_.backoff_max);
    reconnect_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (!ec) self->connect();
    });
}

void client::cleanup(void* p) {
    auto* self = static_cast<client*>(p);
    self->ctx_ = nullptr;
    self->reading_ = self->writing_ = false;
    ++self->generation_;
    // hiredis owns the descriptor and closes it: release it, never close it here.
    if (self->socket_) {
        boost::system::error_code ignored;
        self->socket_->cancel(ignored);
        self->socket_->release();
    }
}

void client::add_read(void* p) {
    auto* self = static_cast<client*>(p);
    self->reading_ = true;
    if (!self->read_waiting_) self->wait_readable();
}
void client::del_read(void* p) { static_cast<client*>(p)->reading_ = false; }

void client::add_write(void* p) {
    auto* self = static_cast<client*>(p);
    self->writing_ = true;
    if (!self->write_waiting_) self->wait_writable();
}
void client::del_write(void* p) { static_cast<client*>(p)->writing_ = false; }

void client::wait_readable() {
    read_waiting_ = true;
    socket_->async_wait(boost::asio::posix::descriptor_base::wait_read,
                        [self = shared_from_this(), gen = generation_](boost::system::error_code ec) {
                            if (gen != self->generation_) return;
                            self->read_waiting_ = false;
                            if (ec) return;
                            // Edge-triggered: read until the socket is drained, or an event
                            // that already happened would never be reported again.
                            while (gen == self->generation_ && self->ctx_ && self->reading_) {
                                redisAsyncHandleRead(self->ctx_);
                                if (gen != self->generation_) break;
                                boost::asio::posix::descriptor_base::bytes_readable pending(true);
                                boost::system::error_code aec;
                                self->socket_->io_control(pending, aec);
                                if (aec || pending.get() == 0) break;
                            }
                            if (gen == self->generation_ && self->ctx_ && self->reading_ && !self->read_waiting_)
                                self->wait_readable();
                        });
}

void client::wait_writable() {
    write_waiting_ = true;
    auto write = [self = shared_from_this(), gen = generation_](boost::system::error_code ec) {
        if (gen != self->generation_) return;
        self->write_waiting_ = false;
        if (ec || !self->ctx_ || !self->writing_) return;
        redisAsyncHandleWrite(self->ctx_);
        // Still wanting to write means the socket buffer is full: its next edge will come.
        if (gen == self->generation_ && self->ctx_ && self->writing_ && !self->write_waiting_) {
            self->write_waiting_ = true;
            self->socket_->async_wait(boost::asio::posix::descriptor_base::wait_write,
                                      [self, gen](boost::system::error_code e) {
                                          if (gen != self->generation_) return;
                                          self->write_waiting_ = false;
                                          if (!e && self->ctx_ && self->writing_) self->wait_writable();
                                      });
        }
    };
    if (ctx_ && (ctx_->c.flags & REDIS_CONNECTED)) {
        // Connected sockets are almost always writable: try now rather than wait for an edge.
        boost::asio::post(executor_, [write] { write({}); });
    } else {
        socket_->async_wait(boost::asio::posix::descriptor_base::wait_write, write);
    }
}

void client::exec(std::vector<command> commands, handler done) {
    // Callable from any thread: hiredis is only ever touched on the strand.
    boost::asio::dispatch(executor_, [self = shared_from_this(), commands = std::move(commands), done = std::move(done)]() mutable {
        self->exec_here(std::move(commands), std::move(done));
    });
}

void client::exec_here(std::vector<command> commands, handler done) {
    if (!commands.empty()) requests_sent_.fetch_add(1, std::memory_order_relaxed);
    if (routes_) return routes_->exec(std::move(commands), std::move(done));
    if (commands.empty()) {
        boost::asio::post(executor_, [done = std::move(done)] { done({}, {}); });
        return;
    }
    if (!up_ || !ctx_ || stopped_) {
        boost::asio::post(executor_, [done = std::move(done), s = stopped_] {
            done(make_error_code(s ? errc::stopped : errc::unavailable), {});
        });
        return;
    }
    submit(std::move(commands), std::move(done));
}

void client::submit(std::vector<command> commands, handler done) {
    auto* b = new batch{this, std::move(done), {}, commands.size(), 0, false,
                        std::chrono::steady_clock::now() + opts_.request_timeout};
    b->got.reserve(commands.size());
    in_flight_.push_back(b);
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    std::size_t queued = 0;
    for (const auto& cmd : commands) {
        argv.clear();
        lens.clear();
        for (const auto& a : cmd) {
            argv.push_back(a.data());
            lens.push_back(a.size());
        }
        // Refused while hiredis tears the connection down (a handler of a failing request may
        // send again from inside that teardown): those commands get no callback.
        if (redisAsyncCommandArgv(ctx_, &client::on_reply, b, static_cast<int>(argv.size()), argv.data(),
                                  lens.data()) != REDIS_OK)
            break;
        ++queued;
    }
    if (queued < commands.size()) {
        auto failed = std::move(b->done);
        b->answered = true;
        b->expected = queued; // the queued ones' callbacks free it
        if (queued == 0) {
            in_flight_.erase(std::find(in_flight_.begin(), in_flight_.end(), b));
            delete b;
        }
        boost::asio::post(executor_, [failed = std::move(failed)] { failed(make_error_code(errc::unavailable), {}); });
        return;
    }
    if (in_flight_.size() == 1) arm_deadline();
}

void client::on_state_change(std::function<void(bool)> f) {
    boost::asio::dispatch(executor_, [self = shared_from_this(), f = std::move(f)]() mutable { self->on_state_ = std::move(f); });
}

void client::subscribe(std::vector<std::string> channels, message_handler on_message) {
    channels_ = std::move(channels);
    on_message_ = std::move(on_message);
}

void client::on_push(redisAsyncContext*, void* reply, void* privdata) {
    auto* self = static_cast<client*>(privdata);
    auto* r = static_cast<redisReply*>(reply);
    if (!r || self->stopped_ || r->type != REDIS_REPLY_ARRAY || r->elements < 3) return;
    std::string_view kind(r->element[0]->str ? r->element[0]->str : "", r->element[0]->str ? r->element[0]->len : 0);
    if (kind == "message" && r->element[1]->str && r->element[2]->str) {
        if (self->on_message_)
            self->on_message_(std::string_view(r->element[1]->str, r->element[1]->len),
                              std::string_view(r->element[2]->str, r->element[2]->len));
    } else if (kind == "subscribe" && ++self->confirmed_ == self->channels_.size()) {
        self->came_up();
    }
}

void client::reconnect() {
    boost::asio::post(executor_, [self = shared_from_this()] { self->drop_connection("stopped delivering"); });
}

void client::drop_connection(const char* why) {
    if (stopped_ || !ctx_) return;
    fail_in_flight(make_error_code(errc::unavailable));
    auto* ac = ctx_;
    bool was_up = up_.exchange(false);
    redisAsyncFree(ac);
    if (was_up) {
        down_since_ = std::chrono::steady_clock::now();
        log("Redis at ", where_.describe(), ' ', why, "; reconnecting");
        if (on_state_) on_state_(false);
    }
    schedule_reconnect();
}

void client::on_reply(redisAsyncContext*, void* reply, void* privdata) {
    auto* b = static_cast<batch*>(privdata);
    ++b->received;
    if (!reply && !b->answered) b->owner->fail_in_flight(make_error_code(errc::unavailable));
    if (reply && !b->answered) {
        b->got.push_back(convert(static_cast<redisReply*>(reply)));
        // A master demoted under us (a failover): writes go nowhere until we find the new one.
        if (b->owner->where_.via_sentinel() && b->got.back().is_error() && b->got.back().text.rfind("READONLY", 0) == 0)
            b->owner->not_master("was demoted to a replica");
    }
    if (b->received == b->expected) b->owner->finish(b);
}

void client::finish(batch* b) {
    auto it = std::find(in_flight_.begin(), in_flight_.end(), b);
    bool was_front = it == in_flight_.begin();
    if (it != in_flight_.end()) in_flight_.erase(it);
    std::unique_ptr<batch> owned(b);
    if (!b->answered && !stopped_) {
        b->answered = true;
        b->done({}, std::move(b->got));
    }
    if (was_front && !in_flight_.empty()) arm_deadline();
}

void client::fail_in_flight(std::error_code ec) {
    // The batches stay alive until hiredis hands back their replies; only their handlers run now.
    auto failing = std::move(in_flight_);
    in_flight_.clear();
    for (auto* b : failing) {
        if (b->answered) continue;
        b->answered = true;
        auto done = std::move(b->done);
        done(ec, {});
    }
}

void client::arm_deadline() {
    deadline_timer_.expires_at(in_flight_.front()->deadline);
    deadline_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (ec || self->in_flight_.empty() || self->stopped_) return;
        if (self->in_flight_.front()->deadline > std::chrono::steady_clock::now()) {
            self->arm_deadline();
            return;
        }
        // hiredis cannot cancel one request: a server that stopped answering is dropped.
        self->fail_in_flight(make_error_code(errc::timeout));
        auto why = "did not answer within " + std::to_string(self->opts_.request_timeout.count()) + " ms";
        self->drop_connection(why.c_str());
    });
}

} // namespace chat::server::redis
