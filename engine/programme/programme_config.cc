#include "engine/programme/programme_config.h"

#include "engine/calendar/time_zone.h"
#include "engine/util/config_reader.h"

namespace relais::programme {

Status ParseProgrammesSection(const ConfigReader& r, const YAML::Node& node, ProgrammeOptions* out) {
  ProgrammeOptions& c = *out;
  return r.Map(node, "programmes",
               {
                   r.UnsignedField("reminder_days", &c.reminder_days, 0, 365),
                   r.UnsignedField("escalation_days", &c.escalation_days, 0, 365),
                   r.UnsignedField("term_reminder_days", &c.term_reminder_days, 0, 3650),
                   r.UnsignedField("max_term_years", &c.max_term_years, 1, 50),
                   r.UnsignedField("cache_capacity", &c.cache_capacity, 1, 10'000'000),
                   {"time_zone",
                    [&r, &c](const YAML::Node& v, const std::string& path) {
                      std::string zone;
                      RELAIS_RETURN_IF_ERROR(r.String(v, path, &zone));
                      auto found = calendar::TimeZone::Find(zone);
                      if (!found.ok()) return r.Error(v.Mark(), path + ": " + found.status().message());
                      c.time_zone = zone;
                      return Status::Ok();
                    }},
                   r.HttpUrlField("public_url", &c.public_url),
                   r.UnsignedField("max_feed_tokens", &c.max_feed_tokens, 1, 10'000),
               });
}

}  // namespace relais::programme
