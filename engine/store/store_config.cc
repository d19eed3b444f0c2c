#include "engine/store/store_config.h"

#include "engine/util/config_reader.h"

namespace relais {

Status ParseStoreSection(const ConfigReader& r, const YAML::Node& node, RocksDbStoreOptions* out,
                         StoreEngineOptions* engine) {
  RocksDbStoreOptions& s = *out;
  std::string engine_name;
  ConfigReader::Field engine_field = r.StringField("engine", &engine_name);
  ConfigReader::Field postgres_field = {
      "postgres", [&r, engine](const YAML::Node& v, const std::string&) {
        return r.Map(v, "store.postgres",
                     {
                         r.StringField("conninfo", &engine->postgres_conninfo),
                         r.UnsignedField("read_connections", &engine->postgres_read_connections, 1, 256),
                         r.MillisField("catch_up_interval_ms", &engine->postgres_catch_up_interval, 10, 3'600'000),
                         r.UnsignedField("recent_events", &engine->postgres_recent_events, 0, 1'000'000),
                         r.UnsignedField("notify_events_bytes", &engine->postgres_notify_events_bytes, 0, 7'900),
                         r.UnsignedField("stream_versions", &engine->postgres_stream_versions, 0, 100'000'000),
                     });
      }};
  Status parsed = r.Map(node, "store",
                        {
                            engine_field,
                            postgres_field,
                            r.UnsignedField("max_batch_events", &s.max_batch_events, 1, 1'000'000),
                            r.UnsignedField("max_batch_bytes", &s.max_batch_bytes, 1024, 1ull << 32),
                            r.UnsignedField("stream_cache_capacity", &s.stream_cache_capacity, 0, 1ull << 32),
                            r.UnsignedField("max_total_wal_bytes", &s.max_total_wal_bytes, 1 << 20, 1ull << 40),
                            r.MillisField("resume_interval_ms", &s.resume_interval, 10, 3'600'000),
                            r.UnsignedField("recovery_free_bytes", &s.recovery_free_bytes, 0, 1ull << 40),
                        });
  RELAIS_RETURN_IF_ERROR(parsed);
  if (engine_name == "postgres")
    engine->engine = StoreEngineOptions::Engine::kPostgres;
  else if (engine_name == "rocksdb")
    engine->engine = StoreEngineOptions::Engine::kRocksDb;
  else if (!engine_name.empty())
    return r.Error(node["engine"].Mark(), "store.engine: expected rocksdb or postgres, got '" + engine_name + "'");
  if (engine->engine == StoreEngineOptions::Engine::kPostgres && engine->postgres_conninfo.empty())
    return r.Error(node["engine"].Mark(),
                   "store.engine is postgres: store.postgres.conninfo (a libpq connection string, e.g. "
                   "\"host=db1,db2 dbname=relais target_session_attrs=read-write\") is required");
  return Status::Ok();
}

}  // namespace relais
