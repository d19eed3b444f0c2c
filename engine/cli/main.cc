// relais: the Relais program. `relais help` lists the subcommands.
#include <cstdio>
#include <string>

#include "engine/cli/commands.h"

namespace {

constexpr const char* kUsage = R"(relais: event-driven workflow engine for multi-partner project governance

usage: relais <command> [options]

commands:
  serve [--config FILE]                 run the server (default config: config/relais.yaml)
  validate FILE...                      check workflow files; every error with file:line:column
  render [--format mermaid|dot|svg] [--lang fr|en] FILE
                                        draw a workflow (tracks, gates, timers, suspension); render --help
  migrate --workflow NAME [--project ID]... [--map OLD=NEW]... [--dry-run] [--config FILE]
                                        move projects to the current version of their workflow
  rebuild [--config FILE]               rebuild the read model (project lists) from the event log
  backup DIR [--config FILE]            back the store up into DIR (online, through the running server if any)
  restore BACKUP_DIR --to DATA_DIR [--id N]
                                        restore a backup (the latest, or N) into a new data directory
  restore --list BACKUP_DIR             the backups in BACKUP_DIR
  copy-store --from CONFIG --to CONFIG [--verify-only]
                                        copy a whole store (RocksDB <-> PostgreSQL), resumable, then verify it
  import [--config FILE] [--dry-run] [--webhook-base-url URL] DIR
                                        load a programme directory (examples/sud-val-de-marnais) into a stopped server's store
  help                                  this text
)";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  std::string command = argv[1];
  relais::cli::Args args(argv + 2, argv + argc);
  if (command == "serve") return relais::cli::Serve(args);
  if (command == "backup") return relais::cli::Backup(args);
  if (command == "restore") return relais::cli::Restore(args);
  if (command == "copy-store") return relais::cli::CopyStoreCommand(args);
  if (command == "validate") return relais::cli::Validate(args);
  if (command == "render") return relais::cli::Render(args);
  if (command == "migrate") return relais::cli::Migrate(args);
  if (command == "rebuild") return relais::cli::Rebuild(args);
  if (command == "import") return relais::cli::Import(args);
  if (command == "help" && args.size() == 1 && args[0] == "render") return relais::cli::Render({"--help"});
  if (command == "help" || command == "--help" || command == "-h") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  std::fprintf(stderr, "relais: unknown command '%s'\n\n%s", command.c_str(), kUsage);
  return 2;
}
