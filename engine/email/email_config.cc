#include "engine/email/email_config.h"

#include "engine/notify/dispatcher_config.h"
#include "engine/util/config_reader.h"
#include "plugins/email/message_builder.h"
#include "plugins/email/smtp_channel.h"

namespace relais::email {

Status ParseEmailSection(const ConfigReader& r, const YAML::Node& node, EmailOptions* out) {
  constexpr uint64_t kMaxTimeoutMillis = 600'000;
  EmailOptions& c = *out;
  notify::DispatcherOptions& d = c.dispatcher;
  RELAIS_RETURN_IF_ERROR(r.Map(
      node, "email",
      {
          {"smtp_url",
           [&](const YAML::Node& v, const std::string& path) {
             std::string url;
             RELAIS_RETURN_IF_ERROR(r.String(v, path, &url));
             if (url.rfind("smtp://", 0) != 0 && url.rfind("smtps://", 0) != 0)
               return r.Error(v.Mark(), path + ": expected smtp://host:port or smtps://host:port, got \"" + url + "\"");
             c.smtp_url = url;
             return Status::Ok();
           }},
          {"tls",
           [&](const YAML::Node& v, const std::string& path) {
             std::string mode;
             RELAIS_RETURN_IF_ERROR(r.String(v, path, &mode));
             if (!plugins::email::ParseTlsMode(mode))
               return r.Error(v.Mark(), path + ": expected starttls, try-starttls, none or tls, got \"" + mode + "\"");
             c.tls = mode;
             return Status::Ok();
           }},
          r.StringField("username", &c.username),
          r.StringField("password", &c.password),
          r.StringField("password_file", &c.password_file),
          r.StringField("ca_bundle", &c.ca_bundle),
          {"from_address",
           [&](const YAML::Node& v, const std::string& path) {
             std::string address;
             RELAIS_RETURN_IF_ERROR(r.String(v, path, &address));
             if (!plugins::email::IsPlainAddress(address))
               return r.Error(v.Mark(),
                              path + ": expected an address such as relais@example.org, got \"" + address + "\"");
             c.from_address = address;
             return Status::Ok();
           }},
          r.StringField("from_name", &c.from_name),
          r.StringField("message_id_host", &c.message_id_host),
          r.MillisField("connect_timeout_ms", &c.connect_timeout, 1, kMaxTimeoutMillis),
          r.MillisField("total_timeout_ms", &c.total_timeout, 1, kMaxTimeoutMillis),
          r.UnsignedField("concurrency", &d.max_concurrency_per_endpoint, 1, 256),
          {"retry_schedule_ms",
           [&](const YAML::Node& v, const std::string& path) {
             return notify::ParseRetrySchedule(r, v, path, &d.retry_schedule);
           }},
          r.UnsignedField("retry_jitter_percent", &d.jitter_percent, 0, 100),
          r.MillisField("max_sleep_ms", &d.max_sleep, 10, kConfigMaxMillis),
          r.HttpUrlField("public_base_url", &c.public_base_url),
          r.UnsignedField("digest_hour", &c.digest_hour, 0, 23),
          r.MillisField("digest_check_interval_ms", &c.digest_check_interval, 1'000, kConfigMaxMillis),
          r.UnsignedField("max_recipients_per_event", &c.max_recipients_per_event, 1, 100'000),
      }));
  if (!c.password.empty() && !c.password_file.empty())
    return r.Error(node.Mark(), "email: expected password or password_file, not both");
  return Status::Ok();
}

}  // namespace relais::email
