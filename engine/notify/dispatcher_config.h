// What the sections that configure a Dispatcher (`webhooks:`, `email:`)
// share: the retry schedule, a list of delays in milliseconds.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "engine/util/config_section.h"

namespace relais::notify {

// Reads key `path` (retry_schedule_ms): at most 100 delays, each at most a week.
Status ParseRetrySchedule(const ConfigReader& r, const YAML::Node& v, const std::string& path,
                          std::vector<std::chrono::milliseconds>* out);

}  // namespace relais::notify
