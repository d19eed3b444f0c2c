// The parser of section `import:` into ImportOptions (docs/config.md,
// docs/import.md). The other ImportOptions (today, max_term_years, the
// webhook base URL) are not in that section: `relais import` sets them.
#pragma once

#include "engine/importer/import_set.h"
#include "engine/util/config_section.h"

namespace relais::importer {

// Keys absent keep their value in *out.
Status ParseImportSection(const ConfigReader& r, const YAML::Node& node, ImportOptions* out);

}  // namespace relais::importer
