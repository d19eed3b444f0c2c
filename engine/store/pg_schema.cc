#include "engine/store/pg_schema.h"

#include <string>
#include <vector>

namespace relais {
namespace {

// Migration i (from 0) takes the schema from version i to i + 1. Append
// only: a released migration never changes.
const std::vector<std::string>& Migrations() {
  static const std::vector<std::string> migrations = {
      // 1: the log, snapshots, the key-value space.
      R"sql(
CREATE TABLE relais_events (
  position bigint PRIMARY KEY,
  stream_id text COLLATE "C" NOT NULL,
  version bigint NOT NULL,
  event_id text COLLATE "C" NOT NULL,
  envelope bytea NOT NULL,
  CONSTRAINT relais_events_stream_version UNIQUE (stream_id, version),
  CONSTRAINT relais_events_event_id UNIQUE (event_id)
);
CREATE TABLE relais_snapshots (
  stream_id text COLLATE "C" PRIMARY KEY,
  version bigint NOT NULL,
  value bytea NOT NULL
);
CREATE TABLE relais_kv (
  key bytea PRIMARY KEY,
  value bytea NOT NULL
);
)sql",
      // 2: leases for the background work of a cluster (event_store.h).
      R"sql(
CREATE TABLE relais_leases (
  name text COLLATE "C" PRIMARY KEY,
  holder text NOT NULL,
  token bigint NOT NULL,
  expires_at timestamptz NOT NULL
);
)sql",
  };
  return migrations;
}

}  // namespace

StatusOr<int> MigratePgSchema(PgConnection& conn) {
  RELAIS_RETURN_IF_ERROR(conn.Exec("BEGIN").status());
  auto rollback = [&](Status s) {
    (void)conn.Exec("ROLLBACK");
    return s;
  };
  auto step = [&](std::string_view sql, const std::vector<PgParam>& params = {}) -> StatusOr<PgResult> {
    return conn.Exec(sql, params);
  };
  if (auto locked = step("SELECT pg_advisory_xact_lock($1)", {PgParam::Text(std::to_string(kPgMigrateLock))});
      !locked.ok())
    return rollback(locked.status());
  if (auto made = step(
          "CREATE TABLE IF NOT EXISTS relais_schema (singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton), "
          "version integer NOT NULL)");
      !made.ok())
    return rollback(made.status());
  auto found = step("SELECT version FROM relais_schema");
  if (!found.ok()) return rollback(found.status());
  const int before = found->rows() == 0 ? 0 : static_cast<int>(found->U64(0, 0));
  if (before > kPgSchemaVersion)
    return rollback(FailedPrecondition("the database's Relais schema is version " + std::to_string(before) +
                                       ", newer than this binary's (" + std::to_string(kPgSchemaVersion) +
                                       "): run a newer relais; nothing was changed"));
  const auto& migrations = Migrations();
  for (int v = before; v < kPgSchemaVersion; ++v)
    if (Status applied = conn.ExecScript(migrations[static_cast<size_t>(v)]); !applied.ok())
      return rollback(applied.WithContext("schema migration to version " + std::to_string(v + 1)));
  if (before < kPgSchemaVersion) {
    auto set = step(
        "INSERT INTO relais_schema (version) VALUES ($1) ON CONFLICT (singleton) DO UPDATE SET version = "
        "excluded.version",
        {PgParam::Int(kPgSchemaVersion)});
    if (!set.ok()) return rollback(set.status());
  }
  RELAIS_RETURN_IF_ERROR(conn.Exec("COMMIT").status());
  return before;
}

}  // namespace relais
