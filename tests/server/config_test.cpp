#include "chat/protocol/iso8601.hpp"
#include "chat/server/config.hpp"

#include "redis_fixture.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace chat;
using namespace std::chrono_literals;
using server::config_error;
using Catch::Matchers::Contains;

namespace {

// A configuration file in its own temporary directory.
struct config_file {
    test::temp_dir dir;
    std::filesystem::path path = dir.path() / "chatd.toml";
    explicit config_file(const std::string& text) { std::ofstream(path) << text; }
    server::config load() const { return server::load_config(path); }
};

server::command_line parse(std::vector<std::string> args) {
    args.insert(args.begin(), "chatd");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    return server::parse_command_line(static_cast<int>(argv.size()), argv.data());
}

std::chrono::sys_days day(const char* iso) {
    return std::chrono::floor<std::chrono::days>(*protocol::parse_instant(std::string(iso) + "T12:00:00Z"));
}

} // namespace

TEST_CASE("with no file the configuration is the documented defaults", "[server][config]") {
    auto c = server::load_config({});
    CHECK(c.port == 8080);
    CHECK(c.bind == "127.0.0.1");
    CHECK(c.redis_url.empty());
    CHECK(c.limits.max_frame_bytes == 64 * 1024);
    CHECK(c.limits.max_json_depth == 8);
    CHECK_FALSE(c.limits.permessage_deflate);
    CHECK(c.hub.max_queue == 10000);
    CHECK(c.policy.offer_timeout == 30s);
    CHECK(c.policy.reopen_business_days == 7);
    CHECK_FALSE(c.dev_tokens);
}

TEST_CASE("a file overrides the defaults and flags override the file", "[server][config]") {
    config_file f(R"(
[server]
port = 9000
data_dir = "/var/lib/chatd"
[limits]
max_frame_bytes = 32768
[policy]
offer_timeout_s = 45
[tiers.standard]
hours = "09:00-18:00"
first_response_s = [60, 120, 300, 600]
)");
    auto file_only = f.load();
    CHECK(file_only.port == 9000);
    CHECK(file_only.limits.max_frame_bytes == 32768);
    CHECK(file_only.policy.offer_timeout == 45s);
    const auto& standard = file_only.policy.of(queue::tier::standard);
    CHECK(standard.hours.open == 9h);
    CHECK(standard.hours.close == 18h);
    CHECK(standard.first_response_target[1] == 120s);

    auto c = server::effective_config(parse({"--config", f.path.string(), "--port", "9100", "--redis", "redis://db:6379/2"}));
    CHECK(c.port == 9100);
    CHECK(c.redis_url == "redis://db:6379/2");
    CHECK(c.data_dir == "/var/lib/chatd");
    CHECK(c.policy.offer_timeout == 45s);
}

TEST_CASE("a misspelt key or section is refused and named rather than ignored", "[server][config]") {
    CHECK_THROWS_WITH(config_file("[policy]\noffer_timout_s = 10\n").load(), Contains("policy.offer_timout_s"));
    CHECK_THROWS_WITH(config_file("[limit]\nmax_frame_bytes = 10\n").load(), Contains("[limit]"));
    CHECK_THROWS_WITH(config_file("[tiers.gold]\nhours = \"always\"\n").load(), Contains("tiers.gold"));
    CHECK_THROWS_WITH(config_file("[regions.de]\ntimezone = \"Europe/Berlin\"\nholiday = []\n").load(),
                      Contains("regions.de.holiday"));
}

TEST_CASE("a value of the wrong type or out of range names its key", "[server][config]") {
    CHECK_THROWS_WITH(config_file("[limits]\nmax_frame_bytes = \"big\"\n").load(), Contains("limits.max_frame_bytes"));
    CHECK_THROWS_WITH(config_file("[limits]\nmax_json_depth = 1000\n").load(), Contains("limits.max_json_depth"));
    CHECK_THROWS_WITH(config_file("[server]\nport = 70000\n").load(), Contains("server.port"));
    CHECK_THROWS_WITH(config_file("[policy]\nposition_interval_s = -1\n").load(), Contains("policy.position_interval_s"));
    CHECK_THROWS_WITH(config_file("[tiers.standard]\nhours = \"late\"\n").load(), Contains("tiers.standard.hours"));
    CHECK_THROWS_WITH(config_file("[policy]\ndefault_timezone = \"Mars/Olympus\"\n").load(),
                      Contains("policy.default_timezone"));
    CHECK_THROWS_WITH(config_file("[server\nport = 1\n").load(), Contains("chatd.toml:1"));
}

TEST_CASE("secret patterns for logs are read as a list and bounded", "[server][config]") {
    auto c = config_file("[files]\nsecret_patterns = [\"ACME-[0-9]{6}\"]\n").load();
    CHECK(c.files.secret_patterns == std::vector<std::string>{"ACME-[0-9]{6}"});
    CHECK_THROWS_WITH(config_file("[files]\nsecret_patterns = [\"\"]\n").load(), Contains("files.secret_patterns"));
    CHECK_THROWS_WITH(config_file("[files]\nsecret_patterns = [\"" + std::string(201, 'x') + "\"]\n").load(),
                      Contains("files.secret_patterns"));
}

TEST_CASE("webhooks are read as a list of endpoints, each checked, and printed with the secret hidden", "[server][config]") {
    auto c = config_file(R"(
[server]
public_url = "https://chat.example.com"
[[webhooks]]
name = "zendesk"
url = "https://acme.zendesk.com/api/v2/chatd"
secret = "0123456789abcdef0123"
events = ["ticket.created", "sla.breached"]
tenants = ["acme"]
max_attempts = 5
first_retry_ms = 2000
max_retry_ms = 60000
[[webhooks]]
name = "audit-sink"
url = "http://10.0.0.5:9000/"
secret = "fedcba9876543210fedc"
)").load();
    REQUIRE(c.webhooks.endpoints.size() == 2);
    const auto& z = c.webhooks.endpoints[0];
    CHECK(z.name == "zendesk");
    CHECK(z.events == std::set<std::string>{"ticket.created", "sla.breached"});
    CHECK(z.tenants == std::set<std::string>{"acme"});
    CHECK(z.retry.max_attempts == 5);
    CHECK(z.retry.first_delay == 2s);
    CHECK(z.retry.max_delay == 60s);
    CHECK(c.webhooks.endpoints[1].events.empty()); // all of them
    CHECK(c.webhooks.public_url == "https://chat.example.com");
    auto printed = c.to_toml();
    CHECK_THAT(printed, Contains("[[webhooks]]"));
    CHECK_THAT(printed, !Contains("0123456789abcdef0123"));

    auto hook = [](const std::string& extra) {
        return config_file("[[webhooks]]\nname = \"t\"\nurl = \"http://127.0.0.1:1/\"\nsecret = \"0123456789abcdef\"\n" + extra).load();
    };
    CHECK_NOTHROW(hook(""));
    CHECK_THROWS_WITH(hook("events = [\"ticket.made\"]\n"), Contains("webhooks.events"));
    CHECK_THROWS_WITH(hook("max_attempts = 0\n"), Contains("webhooks.max_attempts"));
    CHECK_THROWS_WITH(hook("first_retry_ms = 5000\nmax_retry_ms = 1000\n"), Contains("webhooks.max_retry_ms"));
    CHECK_THROWS_WITH(hook("timeout_ms = 10\n"), Contains("webhooks.timeout_ms"));
    CHECK_THROWS_WITH(hook("ca_file = \"missing.pem\"\n"), Contains("webhooks.ca_file"));
    CHECK_THROWS_WITH(hook("retries = 3\n"), Contains("webhooks.retries"));
    CHECK_THROWS_WITH(config_file("[[webhooks]]\nname = \"t\"\nurl = \"ftp://x/\"\nsecret = \"0123456789abcdef\"\n").load(),
                      Contains("webhooks.url"));
    CHECK_THROWS_WITH(config_file("[[webhooks]]\nname = \"t\"\nurl = \"http://x/\"\nsecret = \"short\"\n").load(),
                      Contains("webhooks.secret"));
    CHECK_THROWS_WITH(config_file("[[webhooks]]\nname = \"t\"\nurl = \"http://x/\"\nsecret = \"0123456789abcdef\"\n"
                                  "[[webhooks]]\nname = \"t\"\nurl = \"http://y/\"\nsecret = \"0123456789abcdef\"\n").load(),
                      Contains("webhooks.name"));
    CHECK_THROWS_WITH(config_file("[server]\npublic_url = \"https://chat.example.com/\"\n").load(), Contains("server.public_url"));
}

TEST_CASE("waiting for a replica is 0 or 1, and its wait ends well before a request's deadline", "[server][config]") {
    auto c = config_file("[redis]\nreplica_acks = 1\nreplica_timeout_ms = 500\n").load();
    CHECK(c.redis.replica_acks == 1);
    CHECK(c.redis.replica_timeout == std::chrono::milliseconds(500));
    CHECK_THROWS_WITH(config_file("[redis]\nreplica_acks = 2\n").load(), Contains("redis.replica_acks"));
    CHECK_THROWS_WITH(config_file("[server]\nredis_timeout_ms = 1000\n[redis]\nreplica_timeout_ms = 800\n").load(),
                      Contains("redis.replica_timeout_ms"));
    CHECK_THROWS_WITH(config_file("[redis]\nwait = 1\n").load(), Contains("redis.wait"));
}

TEST_CASE("a region's calendar comes from its time zone, weekend and holidays", "[server][config]") {
    auto c = config_file(R"(
[regions.de]
timezone = "Europe/Berlin"
holidays = ["2026-12-25", "2026-12-26"]
[regions.ae]
timezone = "Asia/Dubai"
weekend = "sat,sun"
[regions.il]
timezone = "Asia/Jerusalem"
weekend = "fri,sat"
)")
                 .load();
    REQUIRE(c.policy.regions.size() == 3);
    const auto& de = c.policy.regions.at("de");
    CHECK(de.time_zone_name() == "Europe/Berlin");
    CHECK_FALSE(de.is_business_day(day("2026-12-25")));
    CHECK(de.is_business_day(day("2026-12-24")));
    const auto& il = c.policy.regions.at("il");
    CHECK_FALSE(il.is_business_day(day("2026-11-27"))); // a Friday
    CHECK(il.is_business_day(day("2026-11-29")));       // a Sunday
    CHECK_THROWS_WITH(config_file("[regions.x]\ntimezone = \"Nowhere/Land\"\n").load(), Contains("regions.x"));
    CHECK_THROWS_WITH(config_file("[regions.x]\nholidays = [\"25.12.2026\"]\n").load(), Contains("regions.x.holidays"));
}

TEST_CASE("the printed configuration reads back as the same configuration", "[server][config]") {
    config_file f(R"(
[server]
port = 9000
[limits]
frames_per_second = 12.5
[origins]
customer = ["https://app.example.com"]
[policy]
conduct_words = ["idiot"]
[tiers.enterprise]
max_wait_s = 0
[regions.de]
timezone = "Europe/Berlin"
holidays = ["2026-12-25"]
)");
    auto printed = f.load().to_toml();
    CHECK_THAT(printed, Contains("https://app.example.com"));
    CHECK_THAT(printed, Contains("2026-12-25"));
    config_file again(printed);
    CHECK(again.load().to_toml() == printed);
}

TEST_CASE("a configured token secret is never printed", "[server][config]") {
    auto printed = config_file("[server]\ntoken_secret = \"s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t\"\n").load().to_toml();
    CHECK_THAT(printed, !Contains("s3cr3t"));
}

TEST_CASE("without a configured secret one is generated once into the data directory, for its owner only",
          "[server][config]") {
    test::temp_dir dir;
    server::config c;
    c.data_dir = dir.path() / "data";
    auto first = server::token_secret(c);
    CHECK(first.size() >= 32);
    CHECK(server::token_secret(c) == first);
    auto perms = std::filesystem::status(c.data_dir / "token-secret").permissions();
    CHECK((perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all)) ==
          std::filesystem::perms::none);
}

TEST_CASE("unknown flags and bad ports are refused", "[server][config]") {
    CHECK_THROWS_WITH(parse({"--prot", "80"}), Contains("unknown option --prot"));
    CHECK_THROWS_AS(parse({"--port", "80x"}), config_error);
    CHECK_THROWS_AS(parse({"--port"}), config_error);
    CHECK(parse({"--print-config"}).print_config);
}

TEST_CASE("the example configuration in docs loads and shows every default", "[server][config]") {
    auto path = std::filesystem::path(CHAT_SOURCE_DIR) / "docs" / "chatd.example.toml";
    auto example = server::load_config(path);
    CHECK(example.policy.regions.count("il") == 1);
    example.regions.clear();
    CHECK(example.to_toml() == server::load_config({}).to_toml());
}

TEST_CASE("development tokens are refused on any bind but loopback", "[server][config][security]") {
    CHECK_NOTHROW(server::effective_config(parse({"--dev-tokens"})));
    CHECK(server::effective_config(parse({"--dev-tokens", "--web-root", "build/web"})).web_root == "build/web");
    CHECK_NOTHROW(server::effective_config(parse({"--dev-tokens", "--bind", "::1"})));
    CHECK_THROWS_WITH(server::effective_config(parse({"--dev-tokens", "--bind", "0.0.0.0"})), Contains("loopback"));
    CHECK_THROWS_WITH(server::effective_config(parse({"--bind", "localhost"})), Contains("IP address"));
}

namespace {

server::config policy_example(const char* name) {
    return server::load_config(std::filesystem::path(CHAT_SOURCE_DIR) / "docs" / "policies" / name);
}

queue::instant utc(const char* iso) { return *protocol::parse_instant(iso); }

} // namespace

TEST_CASE("the policies' hours ship as example configurations and keep the team's time across DST and holidays",
          "[server][config][hours]") {
    using queue::tier;
    SECTION("Dynatrace for Government: 08:00-20:00 New York time, every day") {
        auto p = policy_example("dynatrace-government.toml").policy;
        const auto& hours = p.of(tier::enterprise).hours;
        const auto& team = p.hours_calendar(tier::enterprise, "de"); // a customer in Berlin
        CHECK(team.is_open(utc("2026-03-07T13:00:00Z"), hours));       // Saturday 08:00 EST
        CHECK_FALSE(team.is_open(utc("2026-03-08T01:00:00Z"), hours)); // Saturday 20:00 EST
        // The night the clocks go forward: Sunday opens at 08:00 EDT, 12:00 UTC.
        CHECK(team.next_open(utc("2026-03-08T02:00:00Z"), hours) == utc("2026-03-08T12:00:00Z"));
        CHECK(team.is_open(utc("2026-11-26T15:00:00Z"), hours)); // Thanksgiving too
    }
    SECTION("DTEN: 06:00-18:00 Pacific time, Monday to Friday, not on US holidays") {
        auto p = policy_example("dten.toml").policy;
        const auto& hours = p.of(tier::standard).hours;
        const auto& team = p.hours_calendar(tier::standard, "");
        // Wednesday evening before Thanksgiving: back on Friday 06:00 PST.
        CHECK(team.next_open(utc("2026-11-26T03:00:00Z"), hours) == utc("2026-11-27T14:00:00Z"));
        // Friday evening before the clocks go back: Monday 06:00 PST is 14:00 UTC, not 13:00.
        CHECK(team.next_open(utc("2026-10-31T02:00:00Z"), hours) == utc("2026-11-02T14:00:00Z"));
        // Four business hours from Friday 16:00 PDT: 2 on Friday, 2 on Monday (PST).
        CHECK(team.add_open_time(utc("2026-10-30T23:00:00Z"), 4h, hours) == utc("2026-11-02T16:00:00Z"));
        CHECK_FALSE(team.is_open(utc("2026-07-03T17:00:00Z"), hours)); // Independence Day observed
        // The default table: severity 1 in four business hours, severity 2 by the end of the next business day.
        const auto& contact = p.of(tier::standard).initial_contact;
        CHECK(queue::due_at(contact[0], utc("2026-10-30T23:00:00Z"), team, hours) == utc("2026-11-02T16:00:00Z"));
        CHECK(queue::due_at(contact[1], utc("2026-11-25T19:00:00Z"), team, hours) == utc("2026-11-28T08:00:00Z"));
    }
    SECTION("Data Dynamics: around the clock except US national holidays") {
        auto p = policy_example("data-dynamics.toml").policy;
        const auto& hours = p.of(tier::enterprise).hours;
        const auto& team = p.hours_calendar(tier::enterprise, "");
        CHECK(team.is_open(utc("2026-11-28T08:00:00Z"), hours));       // Saturday 03:00 EST
        CHECK_FALSE(team.is_open(utc("2026-11-26T17:00:00Z"), hours)); // Thanksgiving
        CHECK(team.next_open(utc("2026-11-26T17:00:00Z"), hours) == utc("2026-11-27T05:00:00Z"));
    }
    SECTION("Dynatrace: Standard in the customer's own region, Enterprise 24/7") {
        auto p = policy_example("dynatrace.toml").policy;
        const auto& standard = p.of(tier::standard).hours;
        CHECK(p.hours_calendar(tier::standard, "de").is_open(utc("2026-12-23T07:30:00Z"), standard)); // 08:30 Berlin
        CHECK_FALSE(p.hours_calendar(tier::standard, "us-east").is_open(utc("2026-12-23T07:30:00Z"), standard));
        CHECK_FALSE(p.hours_calendar(tier::standard, "de").is_open(utc("2026-12-24T09:00:00Z"), standard));
        CHECK(p.hours_calendar(tier::enterprise, "de").is_open(utc("2026-12-25T03:00:00Z"), p.of(tier::enterprise).hours));
    }
}

TEST_CASE("a tier's hours are a span, always, or weekdays; its calendar must be a configured region", "[server][config][hours]") {
    auto weekly = config_file(R"(
[tiers.standard]
hours = { mon = "09:00-17:00", sat = "10:00-24:00" }
calendar = "team"
[regions.team]
timezone = "Europe/Paris"
)")
                      .load();
    const auto& hours = weekly.policy.of(queue::tier::standard).hours;
    REQUIRE(hours.week);
    CHECK((*hours.week)[1]->open == 9h);
    CHECK((*hours.week)[6]->close == 24h);
    CHECK_FALSE((*hours.week)[2]);
    CHECK(config_file(weekly.to_toml()).load().to_toml() == weekly.to_toml());
    for (const char* bad : {"\"08:00-24:30\"", "\"17:00-08:00\"", "\"8-17\"", "{ monday = \"08:00-17:00\" }", "{}",
                            "{ mon = \"08:00\" }", "\"08:00-17:00x\""})
        CHECK_THROWS_WITH(config_file(std::string("[tiers.standard]\nhours = ") + bad + "\n").load(),
                          Contains("tiers.standard.hours"));
    CHECK_THROWS_WITH(config_file("[tiers.standard]\ncalendar = \"nowhere\"\n").load(), Contains("\"nowhere\""));
    auto table = config_file("[tiers.enterprise]\ninitial_contact = [\"15m\", \"2bh\", \"1bd\", \"3bd\"]\n").load();
    CHECK(table.policy.of(queue::tier::enterprise).initial_contact[1] == queue::response_target::open_time(2h));
    CHECK(config_file(table.to_toml()).load().policy.of(queue::tier::enterprise).initial_contact == table.policy.of(queue::tier::enterprise).initial_contact);
    for (const char* bad : {"[\"1h\"]", "[\"1h\", \"2h\", \"3h\", \"4 days\"]"})
        CHECK_THROWS_WITH(config_file(std::string("[tiers.enterprise]\ninitial_contact = ") + bad + "\n").load(),
                          Contains("tiers.enterprise.initial_contact"));
}

TEST_CASE("next-response targets and an update cadence are read per severity, off where the table says so",
          "[config][sla]") {
    auto replies = config_file("[tiers.enterprise]\nnext_response = [\"1m\", \"2m\", \"1bh\", \"off\"]\n"
                               "update_every = [\"10m\", \"off\", \"off\", \"off\"]\n")
                       .load();
    const auto& tp = replies.policy.of(queue::tier::enterprise);
    CHECK(tp.next_response[0] == queue::response_target::wall_clock(1min));
    CHECK(tp.next_response[2] == queue::response_target::open_time(1h));
    CHECK_FALSE(tp.next_response[3]);
    CHECK(tp.update_every[0] == queue::response_target::wall_clock(10min));
    CHECK_FALSE(tp.update_every[1]);
    CHECK_FALSE(replies.policy.of(queue::tier::standard).next_response[0]); // not measured unless configured
    CHECK(config_file(replies.to_toml()).load().to_toml() == replies.to_toml());
    for (const char* bad : {"[\"1m\"]", "[\"1m\", \"2m\", \"never\", \"off\"]", "[\"0m\", \"2m\", \"3m\", \"4m\"]"})
        CHECK_THROWS_WITH(config_file(std::string("[tiers.enterprise]\nnext_response = ") + bad + "\n").load(),
                          Contains("tiers.enterprise.next_response"));
}

TEST_CASE("on-call after hours needs an endpoint that pages it", "[config][hours]") {
    CHECK_THROWS_WITH(config_file("[tiers.standard]\non_call_severity = 1\n").load(),
                      Contains("tiers.standard.on_call_severity needs a [[webhooks]] endpoint taking conversation.after_hours"));
    CHECK_THROWS_WITH(config_file("[tiers.standard]\non_call_severity = 5\n").load(), Contains("tiers.standard.on_call_severity"));
    auto paged = config_file(R"([tiers.standard]
on_call_severity = 1

[[webhooks]]
name = "pager"
url = "https://events.pagerduty.example/chatd"
secret = "a-secret-of-the-pager-service"
events = ["conversation.after_hours"]
)")
                     .load();
    CHECK(paged.policy.of(queue::tier::standard).on_call_severity == 1);
    CHECK_THAT(paged.to_toml(), Contains("on_call_severity = 1"));
}
