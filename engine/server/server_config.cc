#include "engine/server/server_config.h"

#include "engine/util/config_reader.h"

namespace relais::server {

Status ParseServerSection(const ConfigReader& r, const YAML::Node& node, ServerConfig* out) {
  ServerConfig& s = *out;
  return r.Map(node, "server",
               {
                   {"listen_address",
                    [&](const YAML::Node& v, const std::string& path) {
                      std::string text;
                      RELAIS_RETURN_IF_ERROR(r.String(v, path, &text));
                      if (!IsIpLiteral(text)) {
                        return r.Error(v.Mark(),
                                       path + ": expected an IPv4 or IPv6 address such as 127.0.0.1 or ::1, got " +
                                           ConfigReader::Describe(v));
                      }
                      s.listen_address = text;
                      return Status::Ok();
                    }},
                   r.UnsignedField("port", &s.port, 0, 65535),
                   r.UnsignedField("io_threads", &s.io_threads, 1, 256),
                   r.UnsignedField("body_limit_bytes", &s.body_limit_bytes, 1, 1ull << 34),
                   r.UnsignedField("header_limit_bytes", &s.header_limit_bytes, 1024, 1ull << 20),
                   r.MillisField("read_timeout_ms", &s.read_timeout, 1, kConfigMaxMillis),
                   r.MillisField("idle_timeout_ms", &s.idle_timeout, 1, kConfigMaxMillis),
                   r.MillisField("write_timeout_ms", &s.write_timeout, 1, kConfigMaxMillis),
                   r.UnsignedField("max_connections", &s.max_connections, 1, 1'000'000),
                   r.UnsignedField("max_connections_per_client", &s.max_connections_per_client, 1, 1'000'000),
                   r.UnsignedField("idle_reclaim_threshold_percent", &s.idle_reclaim_threshold_percent, 1, 100),
                   r.BoolField("access_log", &s.access_log),
                   r.UnsignedField("pipeline_limit", &s.pipeline_limit, 1, 1024),
                   r.MillisField("drain_timeout_ms", &s.drain_timeout, 0, kConfigMaxMillis),
                   r.UnsignedField("stream_buffer_limit_bytes", &s.stream_buffer_limit_bytes, 1024, 1ull << 32),
               });
}

}  // namespace relais::server
