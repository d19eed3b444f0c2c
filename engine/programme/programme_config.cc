#include "engine/programme/programme_config.h"

#include "engine/calendar/time_zone.h"
#include "engine/util/config_reader.h"

namespace relais::programme {

Status ParseProgrammesSection(const ConfigReader& r, const YAML::Node& node, ProgrammeOptions* out) {
  ProgrammeOptions& c = *out;
  Status status = r.Map(node, "programmes",
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
                            r.UnsignedField("review_duration_minutes", &c.review_defaults.duration_minutes, 5, 480),
                            r.UnsignedField("review_max_per_day", &c.review_defaults.max_per_day, 1, 24),
                            r.UnsignedField("review_max_shift_days", &c.review_defaults.max_shift_days, 1, 366),
                            {"review_working_hours",
                             [&r, &c](const YAML::Node& v, const std::string& path) {
                               std::vector<std::string> texts;
                               RELAIS_RETURN_IF_ERROR(r.StringList(v, path, "windows \"HH:MM-HH:MM\"", &texts));
                               std::vector<WorkingWindow> windows;
                               for (size_t i = 0; i < texts.size(); ++i) {
                                 auto w = ParseWorkingWindow(path + "[" + std::to_string(i) + "]", texts[i]);
                                 if (!w.ok()) return r.Error(v.Mark(), w.status().message());
                                 windows.push_back(*w);
                               }
                               c.review_defaults.windows = std::move(windows);
                               return Status::Ok();
                             }},
                        });
  if (!status.ok()) return status;
  // Checked once every key is read (the duration may come after the hours).
  Status windows = CheckWorkingWindows("programmes.review_working_hours", c.review_defaults.windows,
                                       c.review_defaults.duration_minutes);
  if (!windows.ok()) return r.Error(node.Mark(), windows.message());
  return Status::Ok();
}

}  // namespace relais::programme
