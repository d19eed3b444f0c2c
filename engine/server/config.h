// RelaisConfig: every limit, timeout and path of a Relais process, loaded from
// one YAML file (see config/relais.yaml and docs/config.md). Each value has a
// safe default, so an empty file is a valid configuration. Unknown keys and
// ill-typed values are errors that name file:line:column and what was
// expected.
//
// Thread-safety: plain values; the loader functions are stateless and safe
// from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/util/log.h"
#include "engine/util/status.h"

namespace relais::server {

// The HTTP transport's limits (section `server:`).
struct ServerConfig {
  std::string listen_address = "127.0.0.1";  // an IPv4 or IPv6 address literal
  uint16_t port = 8080;                       // 0: an ephemeral port (HttpServer::port())
  int io_threads = 2;                         // threads running the I/O context
  size_t body_limit_bytes = 1024 * 1024;      // larger bodies get 413
  size_t header_limit_bytes = 16 * 1024;      // request line + fields; larger get 431
  // Time allowed to receive one whole request (line, fields and body) once
  // its first byte has arrived, and for the first request of a connection.
  std::chrono::milliseconds read_timeout{10'000};
  // Time a keep-alive connection may stay idle between requests.
  std::chrono::milliseconds idle_timeout{60'000};
  // Time allowed to send one response to a client that reads slowly.
  std::chrono::milliseconds write_timeout{30'000};
  size_t max_connections = 1024;  // further connections get 503 and are closed
  // Connections one client address (IP, any port) holds at most; further
  // ones get 429 and are closed. Behind a reverse proxy every connection
  // comes from the proxy: raise it to max_connections there.
  size_t max_connections_per_client = 256;
  // Once this percentage of max_connections is open, each new connection
  // closes the keep-alive connection idle the longest (between requests), so
  // idle sockets cannot lock other clients out; 503 only when none is idle.
  size_t idle_reclaim_threshold_percent = 90;
  // One info record per request (method, target, status, bytes, duration,
  // request id, client) in the log.
  bool access_log = false;
  size_t pipeline_limit = 16;     // requests read ahead of their responses, per connection
  // On shutdown, time in-flight requests get to finish before connections are cut.
  std::chrono::milliseconds drain_timeout{10'000};
  // Streamed responses (live stream): text queued for a client that reads
  // slower than it is produced; beyond it the stream is closed.
  size_t stream_buffer_limit_bytes = 1024 * 1024;
};

// Event store tuning (section `store:`), carried through for the store unit.
struct StoreConfig {
  size_t max_batch_events = 1024;               // group commit: events per write batch
  size_t max_batch_bytes = 8 * 1024 * 1024;     // group commit: bytes per write batch
  size_t stream_cache_capacity = 100'000;       // streams whose head version is cached
  size_t max_total_wal_bytes = 256 << 20;        // log replayed at most after a crash (flushes beyond)
  std::chrono::milliseconds resume_interval{1000};  // after an I/O error: how often writes are retried
};

// Runtime tuning (section `runtime:`): projects, snapshots, timers, read model.
struct RuntimeConfig {
  uint64_t snapshot_every = 64;               // events between two snapshots of a project
  size_t project_cache_capacity = 10'000;     // projects kept folded in memory
  size_t max_conflict_retries = 16;           // re-decisions after a concurrent change
  std::chrono::milliseconds timer_max_sleep{60'000};  // timers re-checked at least this often
  std::chrono::milliseconds timer_commit_recheck{50};  // commits re-check timers at most this often
  size_t timer_fire_batch = 4096;    // due timers read per scan page when firing
  size_t timer_fire_threads = 32;    // streams (programmes) fired at once, sharing group commits
  std::chrono::milliseconds late_sweep_interval{3'600'000};  // projects checked for lateness this often
  size_t index_page_events = 1024;            // read model: events read per page of the log
  size_t index_persist_every_events = 8192;   // read model: events folded between two persists
};

// The /v1 API's limits (section `api:`).
struct ApiConfig {
  // Threads running service calls (loads, durable appends) off the I/O
  // threads; a call blocks about one group-commit fsync.
  size_t worker_threads = 64;
  // Requests waiting for a worker at most; further ones get 503.
  size_t worker_queue_limit = 4096;
  // Per-token rate limit: a bucket of rate_limit_burst requests refilled at
  // rate_limit_per_second; an empty bucket answers 429 with Retry-After.
  size_t rate_limit_per_second = 2000;
  size_t rate_limit_burst = 4000;
  size_t max_page_size = 500;        // most items one list or history page returns
  size_t default_page_size = 50;     // items per page when the request names no limit
  size_t max_json_depth = 64;        // request bodies nested deeper get 400
  // Live stream: a comment line is sent this often so proxies keep it open.
  std::chrono::milliseconds stream_keepalive{15'000};
  size_t max_streams = 256;          // open live streams at most; further ones get 503
};

// One API token (section `tokens:`). Only the SHA-256 of the token is stored.
struct TokenConfig {
  std::string sha256;  // 64 lower-case hex digits
  std::string subject;
  std::vector<std::string> roles;
  std::string partner;                  // partner tokens: the partner id they act for (may be empty)
  std::vector<std::string> programmes;  // coordinators: the programmes they see (empty: all)
};

// `relais import` (section `import:`, docs/import.md).
struct ImportConfig {
  uint64_t max_file_bytes = 16 << 20;  // a larger import file is refused
};

// Programmes and their calendar (section `programmes:`): milestone reminders,
// escalation of reviews not held, term-end reminders, feed links.
struct ProgrammesConfig {
  uint64_t reminder_days = 7;         // a milestone's reminder, days before it
  uint64_t escalation_days = 14;      // a milestone not held this many days after it is overdue
  uint64_t term_reminder_days = 60;   // a term's reminder, days before its last day
  uint64_t max_term_years = 10;       // longer terms are refused
  size_t cache_capacity = 1'000;      // programmes kept folded in memory
  std::string time_zone = "Europe/Paris";  // the only zone supported (the EU summer-time rule)
  std::string public_url = "http://127.0.0.1:8080";  // origin of the links in calendar feeds
};

// Webhooks to partners (section `webhooks:`, docs/webhooks.md).
struct WebhooksConfig {
  // Delay before each retry after a failed attempt; the number of entries is
  // the number of retries (a delivery gets 1 + size attempts, then is
  // dead-lettered). Default: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
  std::vector<std::chrono::milliseconds> retry_schedule{
      std::chrono::milliseconds(0),          std::chrono::milliseconds(5'000),
      std::chrono::milliseconds(300'000),    std::chrono::milliseconds(1'800'000),
      std::chrono::milliseconds(7'200'000),  std::chrono::milliseconds(18'000'000),
      std::chrono::milliseconds(36'000'000), std::chrono::milliseconds(36'000'000)};
  size_t retry_jitter_percent = 10;              // each delay is moved by up to +/- this percentage
  std::chrono::milliseconds connect_timeout{5'000};  // resolve + connect + TLS handshake (<= 15 s)
  std::chrono::milliseconds total_timeout{15'000};   // one whole attempt (<= 15 s)
  size_t max_concurrency_per_endpoint = 16;      // requests in flight to one endpoint
  std::chrono::milliseconds secret_overlap{86'400'000};  // old secret still signs this long after a rotation
  // An endpoint failing without one success for this long is disabled.
  std::chrono::milliseconds disable_after{432'000'000};  // 5 days
  std::vector<std::string> allowed_ranges;       // CIDRs exempt from the SSRF guard (e.g. 127.0.0.1/32)
  std::string ca_bundle;                         // PEM file of trusted CAs; empty: the system's
  std::string public_base_url = "http://127.0.0.1:8080";  // links in payloads: <base>/v1/projects/<id>
  std::chrono::milliseconds max_sleep{1'000};    // the dispatcher re-checks due retries at least this often
  size_t max_programme_partners = 10'000;        // partners a programme's events are delivered to, at most
};

// The browser dashboard (section `dashboard:`, docs/dashboard.md): static
// files served by relais itself under /ui/.
struct DashboardConfig {
  bool enabled = true;  // false: GET / and /ui/... are not routed (404)
  // The folder of index.html and its modules; default: engine/dashboard/www
  // of the source tree this binary was built from.
  std::string directory = kDefaultDashboardDirectory;
  // Cache-Control max-age of the files; 0: "no-cache" (revalidate with the
  // ETag each time, so an edited file shows at the next load).
  uint64_t cache_max_age_seconds = 0;
  size_t max_file_bytes = 1024 * 1024;  // larger files are not served (404)
  static const char* const kDefaultDashboardDirectory;
};

struct RelaisConfig {
  ServerConfig server;
  // Section `logging:` (level, format text|json, file), for MakeLogger (log.h).
  LogOptions logging;
  std::string data_dir = "./var/data";
  StoreConfig store;
  std::string workflows_dir = "./workflows";  // deployed at start (new versions only)
  RuntimeConfig runtime;
  ApiConfig api;
  std::vector<TokenConfig> tokens;
  ImportConfig importer;  // section `import:`
  ProgrammesConfig programmes;
  WebhooksConfig webhooks;
  DashboardConfig dashboard;
};

// Parses YAML text; source_name prefixes error positions ("relais.yaml:3:5: ...").
// Returns kInvalidArgument for YAML syntax errors, unknown keys (listing the
// known ones), duplicate keys, values of the wrong type or out of range.
StatusOr<RelaisConfig> ParseConfig(std::string_view yaml_text, std::string_view source_name = "<config>");

// Reads and parses the file at path. Returns kNotFound if it does not exist,
// kUnavailable if it cannot be read, else as ParseConfig.
StatusOr<RelaisConfig> LoadConfigFile(const std::string& path);

}  // namespace relais::server
