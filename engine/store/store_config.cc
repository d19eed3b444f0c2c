#include "engine/store/store_config.h"

#include "engine/util/config_reader.h"

namespace relais {

Status ParseStoreSection(const ConfigReader& r, const YAML::Node& node, RocksDbStoreOptions* out) {
  RocksDbStoreOptions& s = *out;
  return r.Map(node, "store",
               {
                   r.UnsignedField("max_batch_events", &s.max_batch_events, 1, 1'000'000),
                   r.UnsignedField("max_batch_bytes", &s.max_batch_bytes, 1024, 1ull << 32),
                   r.UnsignedField("stream_cache_capacity", &s.stream_cache_capacity, 0, 1ull << 32),
                   r.UnsignedField("max_total_wal_bytes", &s.max_total_wal_bytes, 1 << 20, 1ull << 40),
                   r.MillisField("resume_interval_ms", &s.resume_interval, 10, 3'600'000),
                   r.UnsignedField("recovery_free_bytes", &s.recovery_free_bytes, 0, 1ull << 40),
               });
}

}  // namespace relais
