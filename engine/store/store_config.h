// The parser of section `store:` into RocksDbStoreOptions (docs/config.md,
// docs/storage.md). The defaults are RocksDbStoreOptions' own; the data
// directory (top-level `data_dir`) is the composition root's to set.
#pragma once

#include "engine/store/rocksdb_event_store.h"
#include "engine/util/config_section.h"

namespace relais {

// Keys absent keep their value in *out.
Status ParseStoreSection(const ConfigReader& r, const YAML::Node& node, RocksDbStoreOptions* out);

}  // namespace relais
