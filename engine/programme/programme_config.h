// The parser of section `programmes:` into ProgrammeOptions (docs/config.md).
#pragma once

#include "engine/programme/programme_service.h"
#include "engine/util/config_section.h"

namespace relais::programme {

// Keys absent keep their value in *out. `time_zone` must name a zone of the
// system's tzdata (calendar/time_zone.h); it is the zone of the programmes
// whose definition states none.
Status ParseProgrammesSection(const ConfigReader& r, const YAML::Node& node, ProgrammeOptions* out);

}  // namespace relais::programme
