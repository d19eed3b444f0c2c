#include "engine/notify/webhook_config.h"

#include "engine/notify/dispatcher_config.h"
#include "engine/util/config_reader.h"

namespace relais::notify {

Status ParseWebhooksSection(const ConfigReader& r, const YAML::Node& node, WebhookOptions* out) {
  constexpr uint64_t kMaxRetryMillis = 7ull * 24 * 3600 * 1000;  // a week
  constexpr uint64_t kMaxTimeoutMillis = 15'000;
  WebhookOptions& c = *out;
  DispatcherOptions& d = c.dispatcher;
  return r.Map(node, "webhooks",
               {
                   {"retry_schedule_ms",
                    [&](const YAML::Node& v, const std::string& path) {
                      return ParseRetrySchedule(r, v, path, &d.retry_schedule);
                    }},
                   r.UnsignedField("retry_jitter_percent", &d.jitter_percent, 0, 100),
                   r.MillisField("connect_timeout_ms", &c.connect_timeout, 1, kMaxTimeoutMillis),
                   r.MillisField("total_timeout_ms", &c.total_timeout, 1, kMaxTimeoutMillis),
                   r.UnsignedField("max_concurrency_per_endpoint", &d.max_concurrency_per_endpoint, 1, 1024),
                   r.MillisField("secret_overlap_ms", &c.secret_overlap, 0, kMaxRetryMillis),
                   r.MillisField("disable_after_ms", &d.disable_after, 1, 365ull * 24 * 3600 * 1000),
                   {"allowed_ranges",
                    [&](const YAML::Node& v, const std::string& path) {
                      std::vector<std::string> ranges;
                      RELAIS_RETURN_IF_ERROR(r.StringList(v, path, "CIDR ranges such as 127.0.0.1/32", &ranges));
                      for (size_t i = 0; i < ranges.size(); ++i) {
                        if (!IsIpLiteral(ranges[i].substr(0, ranges[i].find('/')))) {
                          return r.Error(v[i].Mark(),
                                         path + "[" + std::to_string(i) +
                                             "]: expected a CIDR range such as 10.0.0.0/8 or ::1/128, got " +
                                             ConfigReader::Describe(v[i]));
                        }
                      }
                      c.allowed_ranges = std::move(ranges);
                      return Status::Ok();
                    }},
                   r.StringField("ca_bundle", &c.ca_bundle),
                   r.HttpUrlField("public_base_url", &c.public_base_url),
                   r.MillisField("max_sleep_ms", &d.max_sleep, 10, kConfigMaxMillis),
                   r.UnsignedField("max_programme_partners", &c.max_programme_partners, 1, 1'000'000),
               });
}

}  // namespace relais::notify
