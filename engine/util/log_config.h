// The parser of section `logging:` (level, format text|json, file) into the
// LogOptions of log.h (docs/config.md).
#pragma once

#include "engine/util/config_section.h"
#include "engine/util/log.h"

namespace relais {

// Keys absent keep their value in *out.
Status ParseLoggingSection(const ConfigReader& r, const YAML::Node& node, LogOptions* out);

}  // namespace relais
