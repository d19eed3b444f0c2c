// The parser of section `store:` into RocksDbStoreOptions (docs/config.md,
// docs/storage.md). The defaults are RocksDbStoreOptions' own; the data
// directory (top-level `data_dir`) is the composition root's to set.
#pragma once

#include <chrono>
#include <string>

#include "engine/store/rocksdb_event_store.h"
#include "engine/util/config_section.h"

namespace relais {

// Which store runs (store.engine), and how to reach PostgreSQL when it is
// that one (store.postgres). The RocksDB store is the default.
struct StoreEngineOptions {
  enum class Engine { kRocksDb, kPostgres };
  Engine engine = Engine::kRocksDb;
  std::string postgres_conninfo;                               // store.postgres.conninfo: a libpq connection string
  size_t postgres_read_connections = 4;                        // store.postgres.read_connections
  std::chrono::milliseconds postgres_catch_up_interval{1000};  // store.postgres.catch_up_interval_ms
  size_t postgres_recent_events = 4096;                        // store.postgres.recent_events
  size_t postgres_notify_events_bytes = 7000;                  // store.postgres.notify_events_bytes
  size_t postgres_stream_versions = 65536;                     // store.postgres.stream_versions
};

// Keys absent keep their value in *out and *engine. Errors: as the reader's,
// and store.engine postgres without store.postgres.conninfo.
Status ParseStoreSection(const ConfigReader& r, const YAML::Node& node, RocksDbStoreOptions* out,
                         StoreEngineOptions* engine);

}  // namespace relais
