// Restoring the embedded store from its backups (RocksDbEventStore::Backup
// makes them, while the server runs). Docs: docs/storage.md, "Backups".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/util/status.h"

namespace relais {

struct StoreBackupInfo {
  uint32_t id = 0;
  int64_t timestamp = 0;  // seconds since the epoch, when it was made
  uint64_t bytes = 0;
};

// The backups in backup_dir, oldest first. Errors: kNotFound (no backup
// there), kUnavailable (I/O).
StatusOr<std::vector<StoreBackupInfo>> ListStoreBackups(const std::string& backup_dir);

// Restores backup `id` of backup_dir (0: the latest) into data_dir, which
// must be absent or empty (a store is never overwritten), verifies it (the
// backup's checksums, then an open as a Relais store of this format) and
// returns the restored store's last position.
// Errors: kAlreadyExists (data_dir holds files), kNotFound (no such
// backup), kUnavailable (I/O), kCorruption (a damaged backup), one line each.
StatusOr<uint64_t> RestoreStore(const std::string& backup_dir, const std::string& data_dir, uint32_t id = 0);

}  // namespace relais
