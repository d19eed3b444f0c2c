// relais backup / relais restore: backups of the embedded store
// (docs/storage.md, "Backups"). A backup is made through the running
// server's control socket when one holds the store, else on the store opened
// here; a restore goes into a new directory, never over a store.
#include <cstdio>
#include <filesystem>

#include "engine/cli/commands.h"
#include "engine/cli/control_socket.h"
#include "engine/cli/relais_config.h"
#include "engine/store/rocksdb_backup.h"
#include "engine/util/time_format.h"

namespace relais::cli {
namespace {

constexpr std::chrono::minutes kBackupTimeout{60};  // a backup of a large store copies it whole the first time

void PrintBackup(const std::string& how, const std::string& dir, const Json& made) {
  std::printf("backup %u in %s (%s): every event up to position %llu, %.1f MB\n", made.value("id", 0u), dir.c_str(),
              how.c_str(), static_cast<unsigned long long>(made.value("last_position", uint64_t{0})),
              static_cast<double>(made.value("bytes", uint64_t{0})) / 1e6);
}

}  // namespace

Json BackupAnswer(RocksDbEventStore& store, const Json& request) {
  if (request.value("op", "") != "backup" || !request.contains("dir") || !request["dir"].is_string())
    return {{"ok", false}, {"error", "unknown request: expected {\"op\":\"backup\",\"dir\":PATH}"}};
  auto made = store.Backup(request["dir"].get<std::string>());
  if (!made.ok()) return {{"ok", false}, {"error", made.status().message()}};
  return {{"ok", true}, {"id", made->id}, {"last_position", made->last_position}, {"bytes", made->bytes}};
}

int Backup(const Args& args) {
  std::string config_path = "config/relais.yaml", dir;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config" && i + 1 < args.size()) {
      config_path = args[++i];
    } else if (dir.empty() && !args[i].starts_with("--")) {
      dir = args[i];
    } else {
      std::fputs("usage: relais backup DIR [--config FILE]\n", stderr);
      return 2;
    }
  }
  if (dir.empty()) {
    std::fputs("usage: relais backup DIR [--config FILE]\n", stderr);
    return 2;
  }
  auto config = LoadConfigFile(config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "relais: %s\n", config.status().message().c_str());
    return 1;
  }
  if (config->store_engine.engine == StoreEngineOptions::Engine::kPostgres) {
    std::fputs(
        "relais: the store is PostgreSQL: back it up with PostgreSQL's tools (pg_basebackup and WAL "
        "archiving, docs/deploy.md); relais backup copies the embedded store\n",
        stderr);
    return 1;
  }
  std::error_code ec;
  dir = std::filesystem::absolute(dir, ec).lexically_normal().string();
  const Json request = {{"op", "backup"}, {"dir", dir}};
  // A running server holds the store: it makes the backup.
  auto asked = AskControlSocket(ControlSocketPath(config->store.path), request, kBackupTimeout);
  if (asked.ok()) {
    if (!asked->value("ok", false)) {
      std::fprintf(stderr, "relais: the backup failed: %s\n", asked->value("error", "").c_str());
      return 1;
    }
    PrintBackup("made by the running server", dir, *asked);
    return 0;
  }
  if (asked.status().code() != StatusCode::kUnavailable) {
    std::fprintf(stderr, "relais: %s\n", asked.status().message().c_str());
    return 1;
  }
  // No server: the store is opened here.
  auto store = RocksDbEventStore::Open(config->store);
  if (!store.ok()) {
    std::fprintf(stderr, "relais: cannot open the store: %s\n", store.status().message().c_str());
    return 1;
  }
  Json made = BackupAnswer(**store, request);
  if (!made.value("ok", false)) {
    std::fprintf(stderr, "relais: the backup failed: %s\n", made.value("error", "").c_str());
    return 1;
  }
  PrintBackup("no server running: store opened directly", dir, made);
  return 0;
}

int Restore(const Args& args) {
  std::string from, to;
  uint32_t id = 0;
  bool list = false;
  const char* usage =
      "usage: relais restore BACKUP_DIR --to DATA_DIR [--id N]\n       relais restore --list BACKUP_DIR\n";
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--list") {
      list = true;
    } else if (args[i] == "--to" && i + 1 < args.size()) {
      to = args[++i];
    } else if (args[i] == "--id" && i + 1 < args.size()) {
      try {
        id = static_cast<uint32_t>(std::stoul(args[++i]));
      } catch (const std::exception&) {
        std::fprintf(stderr, "relais: --id takes a backup number (relais restore --list BACKUP_DIR shows them)\n");
        return 2;
      }
    } else if (from.empty() && !args[i].starts_with("--")) {
      from = args[i];
    } else {
      std::fputs(usage, stderr);
      return 2;
    }
  }
  if (list && !from.empty() && to.empty()) {
    auto backups = ListStoreBackups(from);
    if (!backups.ok()) {
      std::fprintf(stderr, "relais: %s\n", backups.status().message().c_str());
      return 1;
    }
    for (const StoreBackupInfo& b : *backups)
      std::printf("%u  %s  %.1f MB\n", b.id, FormatIso8601(FromMicros(b.timestamp * 1'000'000)).c_str(),
                  static_cast<double>(b.bytes) / 1e6);
    return 0;
  }
  if (list || from.empty() || to.empty()) {
    std::fputs(usage, stderr);
    return 2;
  }
  auto restored = RestoreStore(from, to, id);
  if (!restored.ok()) {
    std::fprintf(stderr, "relais: %s\n", restored.status().message().c_str());
    return 1;
  }
  std::printf("restored %s into %s: last position %llu; set data_dir to it and start the server\n", from.c_str(),
              to.c_str(), static_cast<unsigned long long>(*restored));
  return 0;
}

}  // namespace relais::cli
