#include "engine/store/rocksdb_backup.h"

#include <filesystem>
#include <memory>

#include <rocksdb/utilities/backup_engine.h>

#include "engine/store/rocksdb_event_store.h"

namespace relais {
namespace {

StatusOr<std::unique_ptr<rocksdb::BackupEngineReadOnly>> OpenBackups(const std::string& backup_dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(backup_dir, ec)) return NotFound("no backup directory " + backup_dir);
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  rocksdb::IOStatus opened =
      rocksdb::BackupEngineReadOnly::Open(rocksdb::BackupEngineOptions(backup_dir), rocksdb::Env::Default(), &raw);
  if (!opened.ok()) return Unavailable("cannot read the backups in " + backup_dir + ": " + opened.ToString());
  return std::unique_ptr<rocksdb::BackupEngineReadOnly>(raw);
}

}  // namespace

StatusOr<std::vector<StoreBackupInfo>> ListStoreBackups(const std::string& backup_dir) {
  RELAIS_ASSIGN_OR_RETURN(auto engine, OpenBackups(backup_dir));
  std::vector<rocksdb::BackupInfo> infos;
  engine->GetBackupInfo(&infos);
  if (infos.empty()) return NotFound("no backup in " + backup_dir);
  std::vector<StoreBackupInfo> out;
  for (const rocksdb::BackupInfo& b : infos) out.push_back({b.backup_id, b.timestamp, b.size});
  return out;
}

StatusOr<uint64_t> RestoreStore(const std::string& backup_dir, const std::string& data_dir, uint32_t id) {
  std::error_code ec;
  if (std::filesystem::exists(data_dir, ec) && !std::filesystem::is_empty(data_dir, ec))
    return AlreadyExists("the restore target " + data_dir +
                         " is not empty: restore into a new directory (a store is never overwritten)");
  RELAIS_ASSIGN_OR_RETURN(auto engine, OpenBackups(backup_dir));
  RELAIS_ASSIGN_OR_RETURN(auto backups, ListStoreBackups(backup_dir));
  if (id == 0) id = backups.back().id;
  bool known = false;
  for (const StoreBackupInfo& b : backups) known = known || b.id == id;
  if (!known)
    return NotFound("no backup " + std::to_string(id) + " in " + backup_dir + " (the latest is " +
                    std::to_string(backups.back().id) + ")");
  rocksdb::IOStatus verified = engine->VerifyBackup(id, /*verify_with_checksum=*/true);
  if (!verified.ok())
    return Corruption("backup " + std::to_string(id) + " in " + backup_dir + " is damaged: " + verified.ToString());
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return Unavailable("cannot create " + data_dir + ": " + ec.message());
  rocksdb::IOStatus restored = engine->RestoreDBFromBackup(id, data_dir, data_dir);
  if (!restored.ok())
    return Unavailable("restoring backup " + std::to_string(id) + " into " + data_dir +
                       " failed: " + restored.ToString());
  RocksDbStoreOptions options;
  options.path = data_dir;
  RELAIS_ASSIGN_OR_RETURN(auto store, RocksDbEventStore::Open(options));
  return store->LastPosition();
}

}  // namespace relais
