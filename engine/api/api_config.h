// The /v1 API's options (sections `api:`, `tokens:` and `dashboard:` of the
// configuration file, docs/config.md) and the parsers of those sections.
//
// Thread-safety: plain values; the parsers are stateless.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/util/config_section.h"

namespace relais::api {

// The /v1 API's limits (section `api:`).
struct ApiOptions {
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
  size_t max_export_rows = 100'000;  // most rows one export (CSV, XLSX) holds; more: 409, nothing sent
  size_t max_json_depth = 64;        // request bodies nested deeper get 400
  // Live stream: a comment line is sent this often so proxies keep it open.
  std::chrono::milliseconds stream_keepalive{15'000};
  size_t max_streams = 256;  // open live streams at most; further ones get 503
  // Notices (delivery attempts) waiting for the live streams' next round at
  // most; older ones are dropped (EventStreamHub).
  size_t max_stream_notices = 4096;
};

// One API token (section `tokens:`). Only the SHA-256 of the token is stored.
struct TokenConfig {
  std::string sha256;  // 64 lower-case hex digits
  std::string subject;
  std::vector<std::string> roles;
  std::string partner;                  // partner tokens: the partner id they act for (may be empty)
  std::vector<std::string> programmes;  // coordinators: the programmes they see (empty: all)
};

// The browser dashboard (section `dashboard:`, docs/dashboard.md): static
// files served by relais itself under /ui/.
struct DashboardOptions {
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

// Keys absent keep their value in *out.
Status ParseApiSection(const ConfigReader& r, const YAML::Node& node, ApiOptions* out);
// Appends the tokens of the list; each needs sha256 and subject.
Status ParseTokensSection(const ConfigReader& r, const YAML::Node& node, std::vector<TokenConfig>* out);
Status ParseDashboardSection(const ConfigReader& r, const YAML::Node& node, DashboardOptions* out);

}  // namespace relais::api
