#include "engine/importer/import_config.h"

#include "engine/util/config_reader.h"

namespace relais::importer {

Status ParseImportSection(const ConfigReader& r, const YAML::Node& node, ImportOptions* out) {
  return r.Map(node, "import", {r.UnsignedField("max_file_bytes", &out->max_file_bytes, 1024, uint64_t{1} << 32)});
}

}  // namespace relais::importer
