// The subcommands of the `relais` program. Each takes the arguments after its
// name and returns the process exit status (0 success, 1 failure, 2 usage).
#pragma once

#include <string>
#include <vector>

#include "engine/store/rocksdb_event_store.h"
#include "engine/util/json.h"

namespace relais::cli {

using Args = std::vector<std::string>;

int Serve(const Args& args);     // relais serve [--config FILE]
int Validate(const Args& args);  // relais validate FILE...
int Render(const Args& args);    // relais render [--format mermaid|dot|svg] [--lang fr|en] FILE
int Rebuild(const Args& args);   // relais rebuild [--config FILE]
int Migrate(const Args& args);
int Backup(const Args& args);            // relais backup DIR [--config FILE]
int Restore(const Args& args);           // relais restore BACKUP_DIR --to DATA_DIR [--id N]
int CopyStoreCommand(const Args& args);  // relais copy-store --from CONFIG --to CONFIG [--verify-only]
int Import(const Args& args);  // relais import [--config FILE] [--dry-run] [--webhook-base-url URL] DIR   // relais
                               // migrate --workflow NAME [--project ID]... [--map OLD=NEW]...

// The control socket's answer to a backup request ({"op":"backup","dir":PATH}).
Json BackupAnswer(RocksDbEventStore& store, const Json& request);

}  // namespace relais::cli
