// The parser of section `programmes:` into ProgrammeOptions (docs/config.md).
#pragma once

#include "engine/programme/programme_service.h"
#include "engine/util/config_section.h"

namespace relais::programme {

// Keys absent keep their value in *out. `time_zone` is accepted only as
// "Europe/Paris", the one zone the calendar implements (calendar/paris_time.h):
// a file written for another zone is refused rather than run in Paris time.
Status ParseProgrammesSection(const ConfigReader& r, const YAML::Node& node, ProgrammeOptions* out);

}  // namespace relais::programme
