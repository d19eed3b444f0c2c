#include "engine/api/api_config.h"

#include "engine/util/config_reader.h"

namespace relais::api {

#ifndef RELAIS_DASHBOARD_DIR
#define RELAIS_DASHBOARD_DIR "./engine/dashboard/www"
#endif
const char* const DashboardOptions::kDefaultDashboardDirectory = RELAIS_DASHBOARD_DIR;

namespace {

bool IsLowerHex64(const std::string& text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

Status ParseApiSection(const ConfigReader& r, const YAML::Node& node, ApiOptions* out) {
  ApiOptions& c = *out;
  return r.Map(node, "api",
               {
                   r.UnsignedField("worker_threads", &c.worker_threads, 1, 4096),
                   r.UnsignedField("worker_queue_limit", &c.worker_queue_limit, 1, 10'000'000),
                   r.UnsignedField("rate_limit_per_second", &c.rate_limit_per_second, 1, 100'000'000),
                   r.UnsignedField("rate_limit_burst", &c.rate_limit_burst, 1, 100'000'000),
                   r.UnsignedField("max_page_size", &c.max_page_size, 1, 100'000),
                   r.UnsignedField("default_page_size", &c.default_page_size, 1, 100'000),
                   r.UnsignedField("max_export_rows", &c.max_export_rows, 1, 10'000'000),
                   r.UnsignedField("max_json_depth", &c.max_json_depth, 1, 10'000),
                   r.MillisField("stream_keepalive_ms", &c.stream_keepalive, 10, kConfigMaxMillis),
                   r.UnsignedField("max_streams", &c.max_streams, 1, 1'000'000),
                   r.UnsignedField("max_stream_notices", &c.max_stream_notices, 1, 1'000'000),
               });
}

Status ParseTokensSection(const ConfigReader& r, const YAML::Node& node, std::vector<TokenConfig>* out) {
  if (node.IsNull()) return Status::Ok();
  if (!node.IsSequence()) {
    return r.Error(node.Mark(),
                   "tokens: expected a list of {sha256, subject, roles}, got " + ConfigReader::Describe(node));
  }
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node item = node[i];
    const std::string where = "tokens[" + std::to_string(i) + "]";
    if (!item.IsMap()) return r.Error(item.Mark(), where + ": expected a map, got " + ConfigReader::Describe(item));
    TokenConfig token;
    bool has_hash = false, has_subject = false;
    const Status parsed = r.Map(
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
            {"roles", [&](const YAML::Node& v,
                          const std::string& path) { return r.StringList(v, path, "role names", &token.roles); }},
            r.StringField("partner", &token.partner),
            {"programmes",
             [&](const YAML::Node& v, const std::string& path) {
               return r.StringList(v, path, "programme ids", &token.programmes);
             }},
        });
    RELAIS_RETURN_IF_ERROR(parsed);
    if (!has_hash) return r.Error(item.Mark(), where + ": missing key 'sha256'");
    if (!has_subject) return r.Error(item.Mark(), where + ": missing key 'subject'");
    out->push_back(std::move(token));
  }
  return Status::Ok();
}

Status ParseDashboardSection(const ConfigReader& r, const YAML::Node& node, DashboardOptions* out) {
  DashboardOptions& c = *out;
  return r.Map(node, "dashboard",
               {
                   r.BoolField("enabled", &c.enabled),
                   r.StringField("directory", &c.directory),
                   r.UnsignedField("cache_max_age_seconds", &c.cache_max_age_seconds, 0, 31'536'000),
                   r.UnsignedField("max_file_bytes", &c.max_file_bytes, 1, 64ull << 20),
               });
}

}  // namespace relais::api
