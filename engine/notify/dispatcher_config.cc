#include "engine/notify/dispatcher_config.h"

#include "engine/util/config_reader.h"

namespace relais::notify {

Status ParseRetrySchedule(const ConfigReader& r, const YAML::Node& v, const std::string& path,
                          std::vector<std::chrono::milliseconds>* out) {
  constexpr uint64_t kMaxRetryMillis = 7ull * 24 * 3600 * 1000;  // a week
  if (!v.IsSequence())
    return r.Error(v.Mark(), path + ": expected a list of delays in milliseconds, got " + ConfigReader::Describe(v));
  if (v.size() > 100) return r.Error(v.Mark(), path + ": expected at most 100 retries");
  std::vector<std::chrono::milliseconds> schedule;
  for (size_t i = 0; i < v.size(); ++i) {
    uint64_t ms = 0;
    RELAIS_RETURN_IF_ERROR(r.Unsigned(v[i], path + "[" + std::to_string(i) + "]", 0, kMaxRetryMillis, &ms));
    schedule.emplace_back(ms);
  }
  *out = std::move(schedule);
  return Status::Ok();
}

}  // namespace relais::notify
