#include "engine/server/config.h"

#include <arpa/inet.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <optional>
#include <set>
#include <sstream>
#include <system_error>

#include <yaml-cpp/yaml.h>

namespace relais::server {

#ifndef RELAIS_DASHBOARD_DIR
#define RELAIS_DASHBOARD_DIR "./engine/dashboard/www"
#endif
const char* const DashboardConfig::kDefaultDashboardDirectory = RELAIS_DASHBOARD_DIR;

namespace {

// The one place where yaml-cpp's exceptions and node model become Statuses.
class Reader {
 public:
  explicit Reader(std::string_view source) : source_(source) {}

  Status Error(const YAML::Mark& mark, const std::string& message) const {
    std::string where(source_);
    if (!mark.is_null()) where += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
    return InvalidArgument(where + ": " + message);
  }

  static std::string Describe(const YAML::Node& node) {
    switch (node.Type()) {
      case YAML::NodeType::Null: return "nothing";
      case YAML::NodeType::Sequence: return "a list";
      case YAML::NodeType::Map: return "a map";
      case YAML::NodeType::Scalar:
        return (node.Tag() == "!" ? "the string \"" : "\"") + node.Scalar() + "\"";
      default: return "an undefined value";
    }
  }

  // An unsigned integer written as a plain (unquoted) YAML scalar.
  Status Unsigned(const YAML::Node& node, const std::string& key, uint64_t min, uint64_t max,
                  uint64_t* out) const {
    std::string expected = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
    if (!node.IsScalar() || node.Tag() == "!") {
      return Error(node.Mark(), key + ": expected " + expected + ", got " + Describe(node));
    }
    const std::string& text = node.Scalar();
    std::string digits;
    for (char c : text) {
      if (c != '_') digits += c;  // YAML 1.1 allows 1_048_576
    }
    uint64_t v = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size() || v < min || v > max) {
      return Error(node.Mark(), key + ": expected " + expected + ", got " + Describe(node));
    }
    *out = v;
    return Status::Ok();
  }

  Status String(const YAML::Node& node, const std::string& key, std::string* out) const {
    if (!node.IsScalar() || node.Scalar().empty()) {
      return Error(node.Mark(), key + ": expected a non-empty string, got " + Describe(node));
    }
    *out = node.Scalar();
    return Status::Ok();
  }

  // A YAML boolean written plainly: true or false.
  Status Bool(const YAML::Node& node, const std::string& key, bool* out) const {
    if (node.IsScalar() && node.Tag() != "!") {
      if (node.Scalar() == "true") { *out = true; return Status::Ok(); }
      if (node.Scalar() == "false") { *out = false; return Status::Ok(); }
    }
    return Error(node.Mark(), key + ": expected true or false, got " + Describe(node));
  }

  using FieldParser = std::function<Status(const YAML::Node& value, const std::string& key)>;
  struct Field {
    std::string key;
    FieldParser parse;
  };

  // Applies fields to a map node: unknown or duplicate keys are errors.
  Status Map(const YAML::Node& node, const std::string& where, const std::vector<Field>& fields) const {
    if (node.IsNull()) return Status::Ok();
    if (!node.IsMap()) return Error(node.Mark(), where + ": expected a map, got " + Describe(node));
    std::set<std::string> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
      // The iterator yields a temporary pair: copy the (cheap, shared) nodes.
      const YAML::Node key_node = it->first;
      const YAML::Node value_node = it->second;
      if (!key_node.IsScalar()) return Error(key_node.Mark(), where + ": keys must be plain names");
      const std::string key = key_node.Scalar();
      const std::string path = where.empty() ? key : where + "." + key;
      if (!seen.insert(key).second) return Error(key_node.Mark(), "duplicate key '" + path + "'");
      const Field* field = nullptr;
      for (const Field& f : fields) {
        if (f.key == key) field = &f;
      }
      if (field == nullptr) {
        std::string known;
        for (const Field& f : fields) known += (known.empty() ? "" : ", ") + f.key;
        return Error(key_node.Mark(), "unknown key '" + path + "'" +
                                          (where.empty() ? "" : " in section '" + where + "'") +
                                          "; known keys: " + known);
      }
      RELAIS_RETURN_IF_ERROR(field->parse(value_node, path));
    }
    return Status::Ok();
  }

  template <typename T>
  Field UnsignedField(std::string key, T* out, uint64_t min, uint64_t max = std::numeric_limits<T>::max()) const {
    return {key, [this, out, min, max](const YAML::Node& v, const std::string& path) {
              uint64_t x = 0;
              RELAIS_RETURN_IF_ERROR(Unsigned(v, path, min, max, &x));
              *out = static_cast<T>(x);
              return Status::Ok();
            }};
  }

  Field MillisField(std::string key, std::chrono::milliseconds* out, uint64_t min, uint64_t max) const {
    return {key, [this, out, min, max](const YAML::Node& v, const std::string& path) {
              uint64_t x = 0;
              RELAIS_RETURN_IF_ERROR(Unsigned(v, path, min, max, &x));
              *out = std::chrono::milliseconds(x);
              return Status::Ok();
            }};
  }

 private:
  std::string source_;
};

bool IsIpLiteral(const std::string& text) {
  unsigned char buf[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, text.c_str(), buf) == 1 || inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

bool IsLowerHex64(const std::string& text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

constexpr uint64_t kMaxMillis = 24ull * 3600 * 1000;  // a day

Status ParseServer(const Reader& r, const YAML::Node& node, ServerConfig& s) {
  return r.Map(
      node, "server",
      {
          {"listen_address",
           [&](const YAML::Node& v, const std::string& path) {
             std::string text;
             RELAIS_RETURN_IF_ERROR(r.String(v, path, &text));
             if (!IsIpLiteral(text)) {
               return r.Error(v.Mark(), path + ": expected an IPv4 or IPv6 address such as 127.0.0.1 or ::1, got " +
                                            Reader::Describe(v));
             }
             s.listen_address = text;
             return Status::Ok();
           }},
          r.UnsignedField("port", &s.port, 0, 65535),
          r.UnsignedField("io_threads", &s.io_threads, 1, 256),
          r.UnsignedField("body_limit_bytes", &s.body_limit_bytes, 1, 1ull << 34),
          r.UnsignedField("header_limit_bytes", &s.header_limit_bytes, 1024, 1ull << 20),
          r.MillisField("read_timeout_ms", &s.read_timeout, 1, kMaxMillis),
          r.MillisField("idle_timeout_ms", &s.idle_timeout, 1, kMaxMillis),
          r.MillisField("write_timeout_ms", &s.write_timeout, 1, kMaxMillis),
          r.UnsignedField("max_connections", &s.max_connections, 1, 1'000'000),
          r.UnsignedField("max_connections_per_client", &s.max_connections_per_client, 1, 1'000'000),
          r.UnsignedField("idle_reclaim_threshold_percent", &s.idle_reclaim_threshold_percent, 1, 100),
          {"access_log", [&](const YAML::Node& v, const std::string& path) { return r.Bool(v, path, &s.access_log); }},
          r.UnsignedField("pipeline_limit", &s.pipeline_limit, 1, 1024),
          r.MillisField("drain_timeout_ms", &s.drain_timeout, 0, kMaxMillis),
          r.UnsignedField("stream_buffer_limit_bytes", &s.stream_buffer_limit_bytes, 1024, 1ull << 32),
      });
}

Status ParseLogging(const Reader& r, const YAML::Node& node, LogOptions& o) {
  return r.Map(
      node, "logging",
      {
          {"level",
           [&](const YAML::Node& v, const std::string& path) {
             std::optional<LogLevel> level = v.IsScalar() ? ParseLogLevel(v.Scalar()) : std::nullopt;
             if (!level) {
               return r.Error(v.Mark(), path + ": expected debug, info, warn, error or off, got " + Reader::Describe(v));
             }
             o.level = *level;
             return Status::Ok();
           }},
          {"format",
           [&](const YAML::Node& v, const std::string& path) {
             if (v.IsScalar() && (v.Scalar() == "text" || v.Scalar() == "json")) {
               o.json = v.Scalar() == "json";
               return Status::Ok();
             }
             return r.Error(v.Mark(), path + ": expected text or json, got " + Reader::Describe(v));
           }},
          {"file",
           [&](const YAML::Node& v, const std::string& path) {
             // Empty (or null): standard error.
             if (v.IsNull()) {
               o.path.clear();
               return Status::Ok();
             }
             if (!v.IsScalar()) {
               return r.Error(v.Mark(), path + ": expected a file path, or empty for standard error, got " +
                                            Reader::Describe(v));
             }
             o.path = v.Scalar();
             return Status::Ok();
           }},
      });
}

Status ParseStore(const Reader& r, const YAML::Node& node, StoreConfig& s) {
  return r.Map(node, "store",
               {
                   r.UnsignedField("max_batch_events", &s.max_batch_events, 1, 1'000'000),
                   r.UnsignedField("max_batch_bytes", &s.max_batch_bytes, 1024, 1ull << 32),
                   r.UnsignedField("stream_cache_capacity", &s.stream_cache_capacity, 0, 1ull << 32),
                   r.UnsignedField("max_total_wal_bytes", &s.max_total_wal_bytes, 1 << 20, 1ull << 40),
                   r.MillisField("resume_interval_ms", &s.resume_interval, 10, 3'600'000),
               });
}

Status ParseRuntime(const Reader& r, const YAML::Node& node, RuntimeConfig& c) {
  return r.Map(node, "runtime",
               {
                   r.UnsignedField("snapshot_every", &c.snapshot_every, 1, 1'000'000),
                   r.UnsignedField("project_cache_capacity", &c.project_cache_capacity, 0, 100'000'000),
                   r.UnsignedField("max_conflict_retries", &c.max_conflict_retries, 0, 1000),
                   r.MillisField("timer_max_sleep_ms", &c.timer_max_sleep, 10, kMaxMillis),
                   r.MillisField("timer_commit_recheck_ms", &c.timer_commit_recheck, 0, 60'000),
                   r.UnsignedField("timer_fire_batch", &c.timer_fire_batch, 1, 1'000'000),
                   r.UnsignedField("timer_fire_threads", &c.timer_fire_threads, 1, 256),
                   r.MillisField("late_sweep_interval_ms", &c.late_sweep_interval, 1'000, kMaxMillis),
                   r.UnsignedField("index_page_events", &c.index_page_events, 1, 1'000'000),
                   r.UnsignedField("index_persist_every_events", &c.index_persist_every_events, 1, 100'000'000),
               });
}

Status ParseApi(const Reader& r, const YAML::Node& node, ApiConfig& c) {
  return r.Map(node, "api",
               {
                   r.UnsignedField("worker_threads", &c.worker_threads, 1, 4096),
                   r.UnsignedField("worker_queue_limit", &c.worker_queue_limit, 1, 10'000'000),
                   r.UnsignedField("rate_limit_per_second", &c.rate_limit_per_second, 1, 100'000'000),
                   r.UnsignedField("rate_limit_burst", &c.rate_limit_burst, 1, 100'000'000),
                   r.UnsignedField("max_page_size", &c.max_page_size, 1, 100'000),
                   r.UnsignedField("default_page_size", &c.default_page_size, 1, 100'000),
                   r.UnsignedField("max_json_depth", &c.max_json_depth, 1, 10'000),
                   r.MillisField("stream_keepalive_ms", &c.stream_keepalive, 10, kMaxMillis),
                   r.UnsignedField("max_streams", &c.max_streams, 1, 1'000'000),
               });
}

Status ParseImport(const Reader& r, const YAML::Node& node, ImportConfig& c) {
  return r.Map(node, "import", {r.UnsignedField("max_file_bytes", &c.max_file_bytes, 1024, uint64_t{1} << 32)});
}

Status ParseProgrammes(const Reader& r, const YAML::Node& node, ProgrammesConfig& c) {
  return r.Map(node, "programmes",
               {
                   r.UnsignedField("reminder_days", &c.reminder_days, 0, 365),
                   r.UnsignedField("escalation_days", &c.escalation_days, 0, 365),
                   r.UnsignedField("term_reminder_days", &c.term_reminder_days, 0, 3650),
                   r.UnsignedField("max_term_years", &c.max_term_years, 1, 50),
                   r.UnsignedField("cache_capacity", &c.cache_capacity, 1, 10'000'000),
                   {"time_zone",
                    [&r, &c](const YAML::Node& v, const std::string& path) {
                      RELAIS_RETURN_IF_ERROR(r.String(v, path, &c.time_zone));
                      if (c.time_zone != "Europe/Paris")
                        return r.Error(v.Mark(), path + ": expected \"Europe/Paris\" (the only zone supported), got \"" +
                                                     c.time_zone + "\"");
                      return Status::Ok();
                    }},
                   {"public_url",
                    [&r, &c](const YAML::Node& v, const std::string& path) {
                      RELAIS_RETURN_IF_ERROR(r.String(v, path, &c.public_url));
                      if (c.public_url.rfind("http://", 0) != 0 && c.public_url.rfind("https://", 0) != 0)
                        return r.Error(v.Mark(), path + ": expected an http:// or https:// origin, got \"" +
                                                     c.public_url + "\"");
                      while (!c.public_url.empty() && c.public_url.back() == '/') c.public_url.pop_back();
                      return Status::Ok();
                    }},
               });
}

Status ParseDashboard(const Reader& r, const YAML::Node& node, DashboardConfig& c) {
  return r.Map(node, "dashboard",
               {
                   {"enabled", [&r, &c](const YAML::Node& v, const std::string& path) { return r.Bool(v, path, &c.enabled); }},
                   {"directory",
                    [&r, &c](const YAML::Node& v, const std::string& path) { return r.String(v, path, &c.directory); }},
                   r.UnsignedField("cache_max_age_seconds", &c.cache_max_age_seconds, 0, 31'536'000),
                   r.UnsignedField("max_file_bytes", &c.max_file_bytes, 1, 64ull << 20),
               });
}

Status ParseWebhooks(const Reader& r, const YAML::Node& node, WebhooksConfig& c) {
  constexpr uint64_t kMaxRetryMillis = 7ull * 24 * 3600 * 1000;  // a week
  constexpr uint64_t kMaxTimeoutMillis = 15'000;
  return r.Map(
      node, "webhooks",
      {
          {"retry_schedule_ms",
           [&](const YAML::Node& v, const std::string& path) {
             if (!v.IsSequence()) {
               return r.Error(v.Mark(), path + ": expected a list of delays in milliseconds, got " + Reader::Describe(v));
             }
             if (v.size() > 100) return r.Error(v.Mark(), path + ": expected at most 100 retries");
             c.retry_schedule.clear();
             for (size_t i = 0; i < v.size(); ++i) {
               uint64_t ms = 0;
               RELAIS_RETURN_IF_ERROR(r.Unsigned(v[i], path + "[" + std::to_string(i) + "]", 0, kMaxRetryMillis, &ms));
               c.retry_schedule.emplace_back(ms);
             }
             return Status::Ok();
           }},
          r.UnsignedField("retry_jitter_percent", &c.retry_jitter_percent, 0, 100),
          r.MillisField("connect_timeout_ms", &c.connect_timeout, 1, kMaxTimeoutMillis),
          r.MillisField("total_timeout_ms", &c.total_timeout, 1, kMaxTimeoutMillis),
          r.UnsignedField("max_concurrency_per_endpoint", &c.max_concurrency_per_endpoint, 1, 1024),
          r.MillisField("secret_overlap_ms", &c.secret_overlap, 0, kMaxRetryMillis),
          r.MillisField("disable_after_ms", &c.disable_after, 1, 365ull * 24 * 3600 * 1000),
          {"allowed_ranges",
           [&](const YAML::Node& v, const std::string& path) {
             if (!v.IsSequence()) {
               return r.Error(v.Mark(), path + ": expected a list of CIDR ranges such as 127.0.0.1/32, got " +
                                            Reader::Describe(v));
             }
             for (size_t i = 0; i < v.size(); ++i) {
               std::string cidr;
               RELAIS_RETURN_IF_ERROR(r.String(v[i], path + "[" + std::to_string(i) + "]", &cidr));
               std::string address = cidr.substr(0, cidr.find('/'));
               if (!IsIpLiteral(address)) {
                 return r.Error(v[i].Mark(), path + "[" + std::to_string(i) +
                                                 "]: expected a CIDR range such as 10.0.0.0/8 or ::1/128, got " +
                                                 Reader::Describe(v[i]));
               }
               c.allowed_ranges.push_back(std::move(cidr));
             }
             return Status::Ok();
           }},
          {"ca_bundle", [&](const YAML::Node& v, const std::string& path) { return r.String(v, path, &c.ca_bundle); }},
          {"public_base_url",
           [&](const YAML::Node& v, const std::string& path) {
             RELAIS_RETURN_IF_ERROR(r.String(v, path, &c.public_base_url));
             if (c.public_base_url.rfind("http://", 0) != 0 && c.public_base_url.rfind("https://", 0) != 0) {
               return r.Error(v.Mark(), path + ": expected an http:// or https:// URL, got " + Reader::Describe(v));
             }
             while (!c.public_base_url.empty() && c.public_base_url.back() == '/') c.public_base_url.pop_back();
             return Status::Ok();
           }},
          r.MillisField("max_sleep_ms", &c.max_sleep, 10, kMaxMillis),
          r.UnsignedField("max_programme_partners", &c.max_programme_partners, 1, 1'000'000),
      });
}

Status ParseTokens(const Reader& r, const YAML::Node& node, std::vector<TokenConfig>& tokens) {
  if (node.IsNull()) return Status::Ok();
  if (!node.IsSequence()) {
    return r.Error(node.Mark(), "tokens: expected a list of {sha256, subject, roles}, got " + Reader::Describe(node));
  }
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node item = node[i];
    const std::string where = "tokens[" + std::to_string(i) + "]";
    if (!item.IsMap()) return r.Error(item.Mark(), where + ": expected a map, got " + Reader::Describe(item));
    TokenConfig token;
    bool has_hash = false, has_subject = false;
    Status parsed = r.Map(
        item, where,
        {
            {"sha256",
             [&](const YAML::Node& v, const std::string& path) {
               RELAIS_RETURN_IF_ERROR(r.String(v, path, &token.sha256));
               if (!IsLowerHex64(token.sha256)) {
                 return r.Error(v.Mark(), path + ": expected the SHA-256 of the token as 64 lower-case hex digits");
               }
               has_hash = true;
               return Status::Ok();
             }},
            {"subject",
             [&](const YAML::Node& v, const std::string& path) {
               has_subject = true;
               return r.String(v, path, &token.subject);
             }},
            {"roles",
             [&](const YAML::Node& v, const std::string& path) {
               if (!v.IsSequence()) {
                 return r.Error(v.Mark(), path + ": expected a list of role names, got " + Reader::Describe(v));
               }
               for (size_t j = 0; j < v.size(); ++j) {
                 std::string role;
                 RELAIS_RETURN_IF_ERROR(r.String(v[j], path + "[" + std::to_string(j) + "]", &role));
                 token.roles.push_back(std::move(role));
               }
               return Status::Ok();
             }},
            {"partner", [&](const YAML::Node& v, const std::string& path) { return r.String(v, path, &token.partner); }},
            {"programmes",
             [&](const YAML::Node& v, const std::string& path) {
               if (!v.IsSequence()) {
                 return r.Error(v.Mark(), path + ": expected a list of programme ids, got " + Reader::Describe(v));
               }
               for (size_t j = 0; j < v.size(); ++j) {
                 std::string programme;
                 RELAIS_RETURN_IF_ERROR(r.String(v[j], path + "[" + std::to_string(j) + "]", &programme));
                 token.programmes.push_back(std::move(programme));
               }
               return Status::Ok();
             }},
        });
    if (!parsed.ok()) return parsed;
    if (!has_hash) return r.Error(item.Mark(), where + ": missing key 'sha256'");
    if (!has_subject) return r.Error(item.Mark(), where + ": missing key 'subject'");
    tokens.push_back(std::move(token));
  }
  return Status::Ok();
}

}  // namespace

StatusOr<RelaisConfig> ParseConfig(std::string_view yaml_text, std::string_view source_name) {
  Reader r(source_name);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return r.Error(e.mark, e.msg);
  }
  RelaisConfig config;
  try {
    if (!root.IsNull() && !root.IsMap()) {
      return r.Error(root.Mark(), "expected a map of sections at the top level, got " + Reader::Describe(root));
    }
    RELAIS_RETURN_IF_ERROR(r.Map(
        root, "",
        {
            {"server", [&](const YAML::Node& v, const std::string&) { return ParseServer(r, v, config.server); }},
            {"data_dir",
             [&](const YAML::Node& v, const std::string& path) { return r.String(v, path, &config.data_dir); }},
            {"store", [&](const YAML::Node& v, const std::string&) { return ParseStore(r, v, config.store); }},
            {"workflows_dir",
             [&](const YAML::Node& v, const std::string& path) { return r.String(v, path, &config.workflows_dir); }},
            {"runtime", [&](const YAML::Node& v, const std::string&) { return ParseRuntime(r, v, config.runtime); }},
            {"tokens", [&](const YAML::Node& v, const std::string&) { return ParseTokens(r, v, config.tokens); }},
            {"api", [&](const YAML::Node& v, const std::string&) { return ParseApi(r, v, config.api); }},
            {"import", [&](const YAML::Node& v, const std::string&) { return ParseImport(r, v, config.importer); }},
            {"programmes",
             [&](const YAML::Node& v, const std::string&) { return ParseProgrammes(r, v, config.programmes); }},
            {"webhooks",
             [&](const YAML::Node& v, const std::string&) { return ParseWebhooks(r, v, config.webhooks); }},
            {"dashboard",
             [&](const YAML::Node& v, const std::string&) { return ParseDashboard(r, v, config.dashboard); }},
            {"logging", [&](const YAML::Node& v, const std::string&) { return ParseLogging(r, v, config.logging); }},
        }));
  } catch (const YAML::Exception& e) {
    return r.Error(e.mark, e.msg);
  }
  return config;
}

StatusOr<RelaisConfig> LoadConfigFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return NotFound("config file " + path + " does not exist");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Unavailable("cannot open config file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Unavailable("cannot read config file " + path);
  return ParseConfig(text.str(), path);
}

}  // namespace relais::server
