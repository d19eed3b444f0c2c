#include "engine/cli/relais_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace relais::cli {
namespace {

using relais::testing::IsOk;
using relais::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(ConfigTest, EmptyFileGivesSafeDefaults) {
  StatusOr<RelaisConfig> c = ParseConfig("", "relais.yaml");
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->server.listen_address, "127.0.0.1");
  EXPECT_EQ(c->server.port, 8080);
  EXPECT_EQ(c->server.body_limit_bytes, 1024u * 1024);
  EXPECT_EQ(c->server.header_limit_bytes, 16u * 1024);
  EXPECT_GT(c->server.read_timeout.count(), 0);
  EXPECT_GT(c->server.max_connections, 0u);
  EXPECT_GT(c->server.pipeline_limit, 0u);
  EXPECT_EQ(c->store.path, "./var/data");
  EXPECT_EQ(c->store.max_batch_events, 1024u);
  EXPECT_EQ(c->store.max_batch_bytes, 8u * 1024 * 1024);
  EXPECT_EQ(c->store.stream_cache_capacity, 100000u);
  EXPECT_EQ(c->store.resume_interval, std::chrono::milliseconds(1000));
  EXPECT_TRUE(c->tokens.empty());
  EXPECT_THAT(ParseConfig("# only a comment\n"), IsOk());
}

TEST(ConfigTest, StoreEngineRocksDbByDefaultPostgresWithItsConnectionString) {
  StatusOr<RelaisConfig> embedded = ParseConfig("", "relais.yaml");
  ASSERT_THAT(embedded, IsOk());
  EXPECT_EQ(embedded->store_engine.engine, StoreEngineOptions::Engine::kRocksDb);
  StatusOr<RelaisConfig> pg = ParseConfig(R"(
store:
  engine: postgres
  postgres:
    conninfo: "host=db1,db2 dbname=relais target_session_attrs=read-write"
    read_connections: 8
    recent_events: 0
    notify_events_bytes: 4000
    stream_versions: 10
)",
                                          "relais.yaml");
  ASSERT_THAT(pg, IsOk());
  EXPECT_EQ(pg->store_engine.engine, StoreEngineOptions::Engine::kPostgres);
  EXPECT_EQ(pg->store_engine.postgres_conninfo, "host=db1,db2 dbname=relais target_session_attrs=read-write");
  EXPECT_EQ(pg->store_engine.postgres_read_connections, 8u);
  EXPECT_EQ(pg->store_engine.postgres_recent_events, 0u);
  EXPECT_EQ(pg->store_engine.postgres_notify_events_bytes, 4000u);
  EXPECT_EQ(pg->store_engine.postgres_stream_versions, 10u);
  auto too_large = ParseConfig("store:\n  postgres:\n    notify_events_bytes: 8000\n", "relais.yaml");
  ASSERT_FALSE(too_large.ok());
  EXPECT_THAT(too_large.status().message(), HasSubstr("notify_events_bytes"));
  auto missing = ParseConfig("store:\n  engine: postgres\n", "relais.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("relais.yaml:2:"));
  EXPECT_THAT(missing.status().message(), HasSubstr("store.postgres.conninfo"));
  auto unknown = ParseConfig("store:\n  engine: mysql\n", "relais.yaml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.status().message(), HasSubstr("expected rocksdb or postgres, got 'mysql'"));
  auto typo = ParseConfig("store:\n  postgres:\n    connifo: x\n", "relais.yaml");
  ASSERT_FALSE(typo.ok());
  EXPECT_THAT(typo.status().message(), HasSubstr("connifo"));
}

TEST(ConfigTest, AccountsSection) {
  StatusOr<RelaisConfig> c = ParseConfig(R"(
programmes:
  public_url: https://relais.example.org
accounts:
  invitation_ttl_ms: 86_400_000
  sign_in_link_ttl_ms: 600000
  session_idle_timeout_ms: 1800000
  session_absolute_timeout_ms: 28800000
  max_sessions_per_account: 3
  max_tokens_per_account: 5
  last_used_resolution_ms: 30000
  sign_in_attempts_per_address: 4
  sign_in_attempts_per_client: 20
  sign_in_window_ms: 600000
  sign_in_rate_keys: 1000
  password_min_bytes: 10
  password_max_bytes: 200
  password_ops_limit: 3
  password_memory_bytes: 33554432
)");
  ASSERT_TRUE(c.ok()) << c.status();
  const accounts::AccountsOptions& a = c->accounts;
  EXPECT_EQ(a.invitation_ttl, std::chrono::hours(24));
  EXPECT_EQ(a.sign_in_link_ttl, std::chrono::minutes(10));
  EXPECT_EQ(a.session_idle_timeout, std::chrono::minutes(30));
  EXPECT_EQ(a.session_absolute_timeout, std::chrono::hours(8));
  EXPECT_EQ(a.max_sessions_per_account, 3u);
  EXPECT_EQ(a.max_tokens_per_account, 5u);
  EXPECT_EQ(a.last_used_resolution, std::chrono::seconds(30));
  EXPECT_EQ(a.sign_in_attempts_per_address, 4u);
  EXPECT_EQ(a.sign_in_attempts_per_client, 20u);
  EXPECT_EQ(a.sign_in_window, std::chrono::minutes(10));
  EXPECT_EQ(a.sign_in_rate_keys, 1000u);
  EXPECT_EQ(a.password_min_bytes, 10u);
  EXPECT_EQ(a.password_max_bytes, 200u);
  EXPECT_EQ(a.password_ops_limit, 3u);
  EXPECT_EQ(a.password_memory_bytes, 32u << 20);
  EXPECT_EQ(a.public_url, "https://relais.example.org");  // from programmes:

  auto bad = ParseConfig("accounts:\n  password_min_bytes: 100\n  password_max_bytes: 50\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), ::testing::HasSubstr("password_min_bytes must not exceed password_max_bytes"));
  auto idle = ParseConfig("accounts:\n  session_idle_timeout_ms: 7200000\n  session_absolute_timeout_ms: 3600000\n");
  ASSERT_FALSE(idle.ok());
  auto unknown = ParseConfig("accounts:\n  sign_in_atempts_per_address: 3\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.status().message(), ::testing::HasSubstr("sign_in_attempts_per_address"));
}

TEST(ConfigTest, FullFile) {
  StatusOr<RelaisConfig> c = ParseConfig(R"(
server:
  listen_address: "::1"
  port: 0
  io_threads: 4
  body_limit_bytes: 2_097_152
  header_limit_bytes: 8192
  read_timeout_ms: 300
  idle_timeout_ms: 5000
  write_timeout_ms: 7000
  max_connections: 10
  max_connections_per_client: 5
  idle_reclaim_threshold_percent: 75
  access_log: true
  pipeline_limit: 4
  drain_timeout_ms: 1500
logging:
  level: warn
  format: json
  file: /var/log/relais.log
data_dir: /srv/relais
store:
  max_batch_events: 64
  max_batch_bytes: 65536
  stream_cache_capacity: 10
  resume_interval_ms: 250
tokens:
  - sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
    subject: coordinatrice@cbe.example
    roles: [coordinator, admin]
)");
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->server.listen_address, "::1");
  EXPECT_EQ(c->server.port, 0);
  EXPECT_EQ(c->server.io_threads, 4);
  EXPECT_EQ(c->server.body_limit_bytes, 2097152u);
  EXPECT_EQ(c->server.header_limit_bytes, 8192u);
  EXPECT_EQ(c->server.read_timeout, std::chrono::milliseconds(300));
  EXPECT_EQ(c->server.idle_timeout, std::chrono::milliseconds(5000));
  EXPECT_EQ(c->server.write_timeout, std::chrono::milliseconds(7000));
  EXPECT_EQ(c->server.max_connections, 10u);
  EXPECT_EQ(c->server.max_connections_per_client, 5u);
  EXPECT_EQ(c->server.idle_reclaim_threshold_percent, 75u);
  EXPECT_TRUE(c->server.access_log);
  EXPECT_EQ(c->logging.level, LogLevel::kWarn);
  EXPECT_TRUE(c->logging.json);
  EXPECT_EQ(c->logging.path, "/var/log/relais.log");
  EXPECT_EQ(c->server.pipeline_limit, 4u);
  EXPECT_EQ(c->server.drain_timeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(c->store.path, "/srv/relais");
  EXPECT_EQ(c->store.max_batch_events, 64u);
  EXPECT_EQ(c->store.max_batch_bytes, 65536u);
  EXPECT_EQ(c->store.stream_cache_capacity, 10u);
  EXPECT_EQ(c->store.resume_interval, std::chrono::milliseconds(250));
  ASSERT_EQ(c->tokens.size(), 1u);
  EXPECT_EQ(c->tokens[0].subject, "coordinatrice@cbe.example");
  EXPECT_EQ(c->tokens[0].roles, (std::vector<std::string>{"coordinator", "admin"}));
}

TEST(ConfigTest, UnknownKeyNamesLineColumnAndKnownKeys) {
  EXPECT_THAT(ParseConfig("server:\n  port: 80\n  prot: 81\n", "relais.yaml"),
              StatusIs(StatusCode::kInvalidArgument, AllOf(HasSubstr("relais.yaml:3:3: unknown key 'server.prot'"),
                                                           HasSubstr("known keys: listen_address, port, io_threads"))));
  EXPECT_THAT(ParseConfig("data_dir: x\nstorage: {}\n", "relais.yaml"),
              StatusIs(StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("relais.yaml:2:1: unknown key 'storage'"),
                             HasSubstr("known keys: server, data_dir, store, workflows_dir, runtime, tokens"))));
  EXPECT_THAT(ParseConfig("tokens:\n  - sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n"
                          "    subject: a\n    role: [x]\n",
                          "relais.yaml"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("relais.yaml:4:5: unknown key 'tokens[0].role'")));
}

TEST(ConfigTest, RuntimeSectionAndWorkflowsDir) {
  auto config =
      ParseConfig("workflows_dir: /srv/wf\nruntime:\n  snapshot_every: 10\n  timer_max_sleep_ms: 500\n", "relais.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->workflows_dir, "/srv/wf");
  EXPECT_EQ(config->runtime.projects.snapshot_every, 10u);
  EXPECT_EQ(config->runtime.scheduler.max_sleep, std::chrono::milliseconds(500));
  EXPECT_EQ(config->runtime.scheduler.commit_recheck, std::chrono::milliseconds(50)) << "the default";
  EXPECT_EQ(config->runtime.projects.project_cache_capacity, 10000u);
  EXPECT_EQ(config->runtime.timers.fire_threads, 32u);
  EXPECT_THAT(ParseConfig("runtime:\n  snapshot_every: 0\n", "relais.yaml"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("relais.yaml:2:19")));
  // The cache always holds the project being changed: 0 would silently mean 1.
  EXPECT_THAT(ParseConfig("runtime:\n  project_cache_capacity: 0\n", "relais.yaml"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("runtime.project_cache_capacity")));
  EXPECT_THAT(ParseConfig("runtime:\n  timer_fire_threads: 0\n", "relais.yaml"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("runtime.timer_fire_threads")));
  auto tuned = ParseConfig(
      "runtime:\n  timer_fire_batch: 100\nprogrammes:\n  cache_capacity: 5\n"
      "webhooks:\n  max_programme_partners: 7\n",
      "relais.yaml");
  ASSERT_TRUE(tuned.ok()) << tuned.status();
  EXPECT_EQ(tuned->runtime.timers.fire_batch, 100u);
  EXPECT_EQ(tuned->programmes.cache_capacity, 5u);
  EXPECT_EQ(tuned->webhooks.max_programme_partners, 7u);
}

TEST(ConfigTest, ProgrammesSection) {
  auto config = ParseConfig(
      "programmes:\n  reminder_days: 3\n  escalation_days: 21\n  term_reminder_days: 90\n"
      "  time_zone: Europe/Paris\n  public_url: https://relais.example/\n",
      "relais.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->programmes.reminder_days, 3);
  EXPECT_EQ(config->programmes.escalation_days, 21);
  EXPECT_EQ(config->programmes.term_reminder_days, 90);
  EXPECT_EQ(config->programmes.public_url, "https://relais.example");
  EXPECT_EQ(config->programmes.time_zone, "Europe/Paris");
  EXPECT_EQ(ParseConfig("", "relais.yaml")->programmes.reminder_days, 7u);
  EXPECT_EQ(ParseConfig("", "relais.yaml")->programmes.time_zone, "Europe/Paris");
  EXPECT_EQ(ParseConfig("programmes:\n  time_zone: Indian/Reunion\n", "relais.yaml")->programmes.time_zone,
            "Indian/Reunion");
  EXPECT_THAT(ParseConfig("programmes:\n  time_zone: Europe/Lutece\n", "relais.yaml"),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("relais.yaml:2:14: programmes.time_zone: unknown time zone \"Europe/Lutece\"")));
  EXPECT_THAT(ParseConfig("programmes:\n  reminder_days: 400\n", "relais.yaml"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("an integer from 0 to 365")));
}

TEST(ConfigTest, ProgrammesReviewSlotDefaults) {
  auto config = ParseConfig(
      "programmes:\n  review_duration_minutes: 45\n  review_working_hours: [\"08:30-12:00\", \"13:30-18:00\"]\n"
      "  review_max_per_day: 4\n  review_max_shift_days: 10\n",
      "relais.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  const programme::SlotRules& r = config->programmes.review_defaults;
  EXPECT_EQ(r.duration_minutes, 45);
  ASSERT_EQ(r.windows.size(), 2u);
  EXPECT_EQ(r.windows[0].start, 8 * 60 + 30);
  EXPECT_EQ(r.windows[1].end, 18 * 60);
  EXPECT_EQ(r.max_per_day, 4);
  EXPECT_EQ(r.max_shift_days, 10);
  // The unit's defaults when absent; the shipped file says the same.
  const programme::SlotRules defaults;
  EXPECT_EQ(ParseConfig("", "relais.yaml")->programmes.review_defaults.windows, defaults.windows);
  auto shipped = LoadConfigFile(RELAIS_SOURCE_DIR "/config/relais.yaml");
  ASSERT_THAT(shipped, IsOk());
  EXPECT_EQ(shipped->programmes.review_defaults.windows, defaults.windows);
  EXPECT_EQ(shipped->programmes.review_defaults.duration_minutes, defaults.duration_minutes);
  EXPECT_EQ(shipped->programmes.review_defaults.max_per_day, defaults.max_per_day);
  // Errors name the key and what is expected.
  EXPECT_THAT(ParseConfig("programmes:\n  review_working_hours: [\"9h-12h\"]\n", "relais.yaml"),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("programmes.review_working_hours[0]: expected \"HH:MM-HH:MM\"")));
  EXPECT_THAT(ParseConfig("programmes:\n  review_working_hours: [\"09:00-12:00\", \"11:00-13:00\"]\n", "relais.yaml"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("programmes.review_working_hours[1]")));
  EXPECT_THAT(ParseConfig("programmes:\n  review_working_hours: [\"09:00-09:30\"]\n", "relais.yaml"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("shorter than a review (60 minutes)")));
  EXPECT_THAT(ParseConfig("programmes:\n  review_max_per_day: 0\n", "relais.yaml"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("an integer from 1 to 24")));
}

TEST(ConfigTest, BadValuesSayWhatWasExpected) {
  struct Case {
    const char* yaml;
    const char* expected;
  };
  for (const Case& c : {
           Case{"server:\n  port: eighty\n",
                "<config>:2:9: server.port: expected an integer from 0 to 65535, got \"eighty\""},
           Case{"server:\n  port: 70000\n", "expected an integer from 0 to 65535"},
           Case{"server:\n  port: -1\n", "expected an integer from 0 to 65535"},
           Case{"server:\n  port: \"8080\"\n", "got the string \"8080\""},
           Case{"server:\n  body_limit_bytes: 1.5\n", "server.body_limit_bytes: expected an integer"},
           Case{"server:\n  read_timeout_ms: [1]\n",
                "read_timeout_ms: expected an integer from 1 to 86400000, got a list"},
           Case{"server:\n  read_timeout_ms: 0\n", "read_timeout_ms: expected an integer from 1"},
           Case{"server:\n  listen_address: localhost\n", "expected an IPv4 or IPv6 address"},
           Case{"server: 8080\n", "server: expected a map, got \"8080\""},
           Case{"data_dir: {a: 1}\n", "data_dir: expected a non-empty string, got a map"},
           Case{"server:\n  port: 1\n  port: 2\n", "<config>:3:3: duplicate key 'server.port'"},
           Case{"tokens:\n  - sha256: abc\n    subject: x\n",
                "expected the SHA-256 of the token as 64 lower-case hex digits"},
           Case{"tokens:\n  - subject: x\n", "missing key 'sha256'"},
           Case{"tokens: {}\n", "tokens: expected a list"},
           Case{"- a\n- b\n", "expected a map of sections at the top level"},
           Case{"server:\n  port: [1\n", "<config>:"},
       }) {
    EXPECT_THAT(ParseConfig(c.yaml), StatusIs(StatusCode::kInvalidArgument, HasSubstr(c.expected))) << c.yaml;
  }
}

TEST(ConfigTest, LoadsFileAndReportsMissingFile) {
  relais::testing::TempDir dir;
  std::string path = dir.Sub("relais.yaml");
  std::ofstream(path) << "server:\n  port: 9090\n";
  StatusOr<RelaisConfig> c = LoadConfigFile(path);
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->server.port, 9090);
  EXPECT_THAT(LoadConfigFile(dir.Sub("absent.yaml")), StatusIs(StatusCode::kNotFound));
  std::ofstream(path) << "server:\n  bogus: 1\n";
  EXPECT_THAT(LoadConfigFile(path), StatusIs(StatusCode::kInvalidArgument, HasSubstr(path + ":2:3")));
}

TEST(ConfigTest, ShippedExampleFileParses) {
  StatusOr<RelaisConfig> c = LoadConfigFile(RELAIS_SOURCE_DIR "/config/relais.yaml");
  ASSERT_THAT(c, IsOk());
  RelaisConfig defaults;
  EXPECT_EQ(c->server.port, defaults.server.port);
  EXPECT_EQ(c->server.body_limit_bytes, defaults.server.body_limit_bytes);
}

TEST(ConfigTest, ApiSectionAndScopedTokens) {
  auto c = ParseConfig(
      "api:\n  worker_threads: 8\n  worker_queue_limit: 100\n  rate_limit_per_second: 5\n  rate_limit_burst: 10\n"
      "  max_page_size: 20\n  default_page_size: 5\n  max_json_depth: 16\n  stream_keepalive_ms: 250\n  max_streams: "
      "3\n"
      "tokens:\n  - sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n    subject: "
      "partner:afpa\n"
      "    roles: [partner]\n    partner: afpa\n"
      "  - sha256: 60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752\n    subject: c@x\n"
      "    roles: [coordinator]\n    programmes: [sud, nord]\n",
      "relais.yaml");
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->api.worker_threads, 8u);
  EXPECT_EQ(c->api.worker_queue_limit, 100u);
  EXPECT_EQ(c->api.rate_limit_per_second, 5u);
  EXPECT_EQ(c->api.rate_limit_burst, 10u);
  EXPECT_EQ(c->api.max_page_size, 20u);
  EXPECT_EQ(c->api.default_page_size, 5u);
  EXPECT_EQ(c->api.max_json_depth, 16u);
  EXPECT_EQ(c->api.stream_keepalive, std::chrono::milliseconds(250));
  EXPECT_EQ(c->api.max_streams, 3u);
  ASSERT_EQ(c->tokens.size(), 2u);
  EXPECT_EQ(c->tokens[0].partner, "afpa");
  EXPECT_EQ(c->tokens[1].programmes, (std::vector<std::string>{"sud", "nord"}));
  EXPECT_THAT(ParseConfig("api:\n  worker_threads: 0\n", "relais.yaml"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("api.worker_threads")));
}

TEST(ConfigTest, EmailSection) {
  auto defaults = ParseConfig("");
  ASSERT_THAT(defaults, IsOk());
  EXPECT_FALSE(defaults->email.enabled()) << "no e-mail until smtp_url is set";
  EXPECT_EQ(defaults->email.tls, "starttls");
  EXPECT_EQ(defaults->email.dispatcher.retry_schedule.size(), 8u);
  EXPECT_EQ(defaults->email.dispatcher.retry_schedule[1], std::chrono::milliseconds(60'000));
  auto c = ParseConfig(
      "email:\n  smtp_url: smtp://mail.example.org:587\n  tls: try-starttls\n  username: relais\n"
      "  password_file: /run/secrets/smtp\n  from_address: relais@cbe-sud.example.org\n"
      "  from_name: Relais CBE Sud\n  concurrency: 8\n  retry_schedule_ms: [0, 1000]\n"
      "  total_timeout_ms: 30000\n  digest_hour: 7\n  public_base_url: https://relais.example/\n",
      "relais.yaml");
  ASSERT_THAT(c, IsOk());
  EXPECT_TRUE(c->email.enabled());
  EXPECT_EQ(c->email.smtp_url, "smtp://mail.example.org:587");
  EXPECT_EQ(c->email.tls, "try-starttls");
  EXPECT_EQ(c->email.username, "relais");
  EXPECT_EQ(c->email.password_file, "/run/secrets/smtp");
  EXPECT_EQ(c->email.from_address, "relais@cbe-sud.example.org");
  EXPECT_EQ(c->email.from_name, "Relais CBE Sud");
  EXPECT_EQ(c->email.dispatcher.max_concurrency_per_endpoint, 8u);
  EXPECT_EQ(c->email.dispatcher.retry_schedule,
            (std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(0), std::chrono::milliseconds(1000)}));
  EXPECT_EQ(c->email.total_timeout, std::chrono::milliseconds(30'000));
  EXPECT_EQ(c->email.digest_hour, 7u);
  EXPECT_EQ(c->email.public_base_url, "https://relais.example");
  EXPECT_THAT(ParseConfig("email:\n  smtp_url: http://mail.example.org\n", "relais.yaml"),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("relais.yaml:2:13: email.smtp_url: expected smtp://host:port or smtps://host:port")));
  EXPECT_THAT(ParseConfig("email:\n  tls: ssl\n", "relais.yaml"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("email.tls: expected starttls, try-starttls")));
  EXPECT_THAT(ParseConfig("email:\n  from_address: relais\n", "relais.yaml"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("email.from_address: expected an address")));
  EXPECT_THAT(ParseConfig("email:\n  password: a\n  password_file: b\n", "relais.yaml"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("password or password_file, not both")));
  EXPECT_THAT(ParseConfig("email:\n  digest_hour: 24\n", "relais.yaml"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("email.digest_hour")));
  EXPECT_THAT(ParseConfig("email:\n  smtp_host: x\n", "relais.yaml"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("smtp_host")));
}

TEST(ConfigTest, WebhooksSection) {
  auto defaults = ParseConfig("");
  ASSERT_THAT(defaults, IsOk());
  EXPECT_EQ(defaults->webhooks.dispatcher.retry_schedule.size(), 8u);
  EXPECT_EQ(defaults->webhooks.dispatcher.retry_schedule[2], std::chrono::milliseconds(300'000));
  EXPECT_EQ(defaults->webhooks.dispatcher.disable_after, std::chrono::hours(24 * 5));
  auto c = ParseConfig(
      "webhooks:\n  retry_schedule_ms: [0, 100, 200]\n  retry_jitter_percent: 0\n  total_timeout_ms: 2000\n"
      "  allowed_ranges: [127.0.0.1/32, \"::1/128\"]\n  public_base_url: https://relais.example/\n",
      "relais.yaml");
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->webhooks.dispatcher.retry_schedule,
            (std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(0), std::chrono::milliseconds(100),
                                                    std::chrono::milliseconds(200)}));
  EXPECT_EQ(c->webhooks.total_timeout, std::chrono::milliseconds(2000));
  EXPECT_EQ(c->webhooks.allowed_ranges, (std::vector<std::string>{"127.0.0.1/32", "::1/128"}));
  EXPECT_EQ(c->webhooks.public_base_url, "https://relais.example");
  EXPECT_THAT(ParseConfig("webhooks:\n  total_timeout_ms: 60000\n", "relais.yaml"),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("relais.yaml:2:21: webhooks.total_timeout_ms: expected an integer from 1 to 15000")));
  EXPECT_THAT(ParseConfig("webhooks:\n  allowed_ranges: [intranet]\n", "relais.yaml"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("webhooks.allowed_ranges[0]: expected a CIDR range")));
  EXPECT_THAT(ParseConfig("webhooks:\n  retry_schedule_ms: 5\n", "relais.yaml"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("expected a list of delays")));
}

TEST(ConfigTest, DashboardSection) {
  auto defaults = ParseConfig("");
  ASSERT_THAT(defaults, IsOk());
  EXPECT_TRUE(defaults->dashboard.enabled);
  EXPECT_THAT(defaults->dashboard.directory, ::testing::EndsWith("engine/dashboard/www"));
  EXPECT_EQ(defaults->dashboard.cache_max_age_seconds, 0u);
  auto c = ParseConfig(
      "dashboard:\n  enabled: false\n  directory: /srv/relais/www\n  cache_max_age_seconds: 300\n"
      "  max_file_bytes: 2048\n",
      "relais.yaml");
  ASSERT_THAT(c, IsOk());
  EXPECT_FALSE(c->dashboard.enabled);
  EXPECT_EQ(c->dashboard.directory, "/srv/relais/www");
  EXPECT_EQ(c->dashboard.cache_max_age_seconds, 300u);
  EXPECT_EQ(c->dashboard.max_file_bytes, 2048u);
  EXPECT_THAT(
      ParseConfig("dashboard:\n  enabled: yes please\n", "relais.yaml"),
      StatusIs(StatusCode::kInvalidArgument, HasSubstr("relais.yaml:2:12: dashboard.enabled: expected true or false")));
  EXPECT_THAT(ParseConfig("dashboard:\n  theme: dark\n", "relais.yaml"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("unknown key 'dashboard.theme'")));
}

TEST(ConfigTest, LoggingDefaultsAndLocatedErrors) {
  StatusOr<RelaisConfig> defaults = ParseConfig("", "relais.yaml");
  ASSERT_THAT(defaults, IsOk());
  EXPECT_EQ(defaults->logging.level, LogLevel::kInfo);
  EXPECT_FALSE(defaults->logging.json);
  EXPECT_EQ(defaults->logging.path, "");
  EXPECT_FALSE(defaults->server.access_log);
  EXPECT_EQ(defaults->server.max_connections_per_client, 256u);
  EXPECT_EQ(defaults->server.idle_reclaim_threshold_percent, 90u);

  StatusOr<RelaisConfig> to_stderr = ParseConfig("logging:\n  file:\n  level: debug\n", "relais.yaml");
  ASSERT_THAT(to_stderr, IsOk());
  EXPECT_EQ(to_stderr->logging.path, "");
  EXPECT_EQ(to_stderr->logging.level, LogLevel::kDebug);

  EXPECT_THAT(
      ParseConfig("logging:\n  level: verbose\n", "relais.yaml"),
      StatusIs(StatusCode::kInvalidArgument, AllOf(HasSubstr("relais.yaml:2:10: logging.level"),
                                                   HasSubstr("debug, info, warn, error"), HasSubstr("verbose"))));
  EXPECT_THAT(ParseConfig("logging:\n  format: xml\n", "relais.yaml"),
              StatusIs(StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("relais.yaml:2:11: logging.format"), HasSubstr("text or json"))));
  EXPECT_THAT(ParseConfig("logging:\n  file: [a]\n", "relais.yaml"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("relais.yaml:2:9: logging.file")));
  EXPECT_THAT(ParseConfig("logging:\n  colour: true\n", "relais.yaml"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("unknown key 'logging.colour'")));
  EXPECT_THAT(ParseConfig("server:\n  idle_reclaim_threshold_percent: 0\n", "relais.yaml"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("server.idle_reclaim_threshold_percent")));
  EXPECT_THAT(ParseConfig("server:\n  access_log: yes please\n", "relais.yaml"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("server.access_log: expected true or false")));
}

// Each section's defaults are its unit's Options' own: the file restates
// none of them.
TEST(ConfigTest, DefaultsAreTheUnitsOwn) {
  StatusOr<RelaisConfig> c = ParseConfig("", "relais.yaml");
  ASSERT_THAT(c, IsOk());
  const RocksDbStoreOptions store;
  EXPECT_EQ(c->store.max_batch_events, store.max_batch_events);
  EXPECT_EQ(c->store.max_total_wal_bytes, store.max_total_wal_bytes);
  const notify::DispatcherOptions dispatcher;
  EXPECT_EQ(c->webhooks.dispatcher.retry_schedule, dispatcher.retry_schedule);
  EXPECT_EQ(c->webhooks.dispatcher.disable_after, dispatcher.disable_after);
  const programme::ProgrammeOptions programmes;
  EXPECT_EQ(c->programmes.reminder_days, programmes.reminder_days);
  EXPECT_EQ(c->programmes.public_url, programmes.public_url);
  const runtime::SchedulerOptions scheduler;
  EXPECT_EQ(c->runtime.scheduler.max_sleep, scheduler.max_sleep);
  EXPECT_EQ(c->runtime.late_sweep.interval, runtime::LateSweepOptions{}.interval);
  EXPECT_EQ(c->importer.max_file_bytes, importer::ImportOptions{}.max_file_bytes);
}

// The file shipped in config/ and the example configurations parse.
TEST(ConfigTest, ShippedFilesParse) {
  for (const char* file : {"/config/relais.yaml", "/config/cluster/relais-node.yaml"}) {
    EXPECT_THAT(LoadConfigFile(std::string(RELAIS_SOURCE_DIR) + file), IsOk()) << file;
  }
  auto node = LoadConfigFile(std::string(RELAIS_SOURCE_DIR) + "/config/cluster/relais-node.yaml");
  ASSERT_THAT(node, IsOk());
  EXPECT_EQ(node->store_engine.engine, StoreEngineOptions::Engine::kPostgres);
  EXPECT_NE(node->store_engine.postgres_conninfo.find("target_session_attrs=read-write"), std::string::npos);
}

}  // namespace
}  // namespace relais::cli
