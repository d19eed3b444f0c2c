// The PostgreSQL store's schema, created and upgraded by Relais itself:
// numbered migrations applied in order in one transaction, under an
// advisory lock so that nodes starting together upgrade once. The version
// lives in relais_schema. Tables are created in the connection's
// search_path (the first schema), so one database can hold several stores
// (tests use a schema each). docs/storage.md, "PostgreSQL", gives the tables.
#pragma once

#include "engine/store/pg_connection.h"

namespace relais {

// The schema version this build reads and writes.
inline constexpr int kPgSchemaVersion = 2;

// Advisory lock keys (database-wide): the commit lock every append
// transaction takes, and the migration lock.
inline constexpr int64_t kPgCommitLock = 0x52454C41'49530001;   // "RELAIS" 1
inline constexpr int64_t kPgMigrateLock = 0x52454C41'49530002;  // "RELAIS" 2

// Creates or upgrades the tables to kPgSchemaVersion; returns the version
// found before. Errors: kFailedPrecondition when the database's schema is
// newer than this binary's (nothing is changed); kUnavailable.
StatusOr<int> MigratePgSchema(PgConnection& conn);

}  // namespace relais
