// relais copy-store --from CONFIG --to CONFIG: a whole store copied from one
// configuration's store into another's (RocksDB to PostgreSQL or back), then
// verified (engine/store/store_copy.h). Both servers stopped. Interrupted, it
// resumes where the target's log ends.
#include <cstdio>

#include "engine/cli/commands.h"
#include "engine/cli/runtime_host.h"
#include "engine/store/store_copy.h"

namespace relais::cli {
namespace {

const char* EngineName(const RelaisConfig& c) {
  return c.store_engine.engine == StoreEngineOptions::Engine::kPostgres ? "PostgreSQL" : "RocksDB";
}

}  // namespace

int CopyStoreCommand(const Args& args) {
  std::string from, to;
  bool verify_only = false;
  const char* usage = "usage: relais copy-store --from CONFIG --to CONFIG [--verify-only]\n";
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--from" && i + 1 < args.size()) {
      from = args[++i];
    } else if (args[i] == "--to" && i + 1 < args.size()) {
      to = args[++i];
    } else if (args[i] == "--verify-only") {
      verify_only = true;
    } else {
      std::fputs(usage, stderr);
      return 2;
    }
  }
  if (from.empty() || to.empty()) {
    std::fputs(usage, stderr);
    return 2;
  }
  auto source_config = LoadConfigFile(from);
  auto target_config = LoadConfigFile(to);
  for (const auto* c : {&source_config, &target_config})
    if (!c->ok()) {
      std::fprintf(stderr, "relais: %s\n", c->status().message().c_str());
      return 1;
    }
  auto source = OpenConfiguredStore(*source_config);
  if (!source.ok()) {
    std::fprintf(stderr, "relais: cannot open the source store (%s): %s\n(stop its server first)\n",
                 EngineName(*source_config), source.status().message().c_str());
    return 1;
  }
  auto target = OpenConfiguredStore(*target_config);
  if (!target.ok()) {
    std::fprintf(stderr, "relais: cannot open the target store (%s): %s\n(stop its server first)\n",
                 EngineName(*target_config), target.status().message().c_str());
    return 1;
  }
  if (!verify_only) {
    CopyOptions options;
    uint64_t last_shown = 0;
    options.progress = [&](uint64_t copied, uint64_t total) {
      if (copied - last_shown < 100'000 && copied != total) return;
      last_shown = copied;
      std::printf("  %llu of %llu events\n", static_cast<unsigned long long>(copied),
                  static_cast<unsigned long long>(total));
      std::fflush(stdout);
    };
    auto copied = CopyStore(**source, **target, options);
    if (!copied.ok()) {
      std::fprintf(stderr, "relais: the copy stopped: %s\n(run the same command again to resume)\n",
                   copied.status().message().c_str());
      return 1;
    }
    std::printf(
        "copied %s -> %s: %llu event(s)%s, %zu snapshot(s), %zu key-value entries\n", EngineName(*source_config),
        EngineName(*target_config), static_cast<unsigned long long>(copied->events),
        copied->resumed_after ? (" after the " + std::to_string(copied->resumed_after) + " already there").c_str() : "",
        copied->snapshots, copied->kv_entries);
  }
  auto check = VerifyCopy(**source, **target);
  if (!check.ok()) {
    std::fprintf(stderr, "relais: the verification could not run: %s\n", check.status().message().c_str());
    return 1;
  }
  if (!check->differences.empty()) {
    std::fprintf(stderr, "relais: the copy differs from the source:\n");
    for (const std::string& d : check->differences) std::fprintf(stderr, "  %s\n", d.c_str());
    return 1;
  }
  std::printf(
      "verified: %llu event(s) in %zu stream(s), each stream's count and SHA-256 digest equal; "
      "snapshots equal; %zu key-value entries equal\n",
      static_cast<unsigned long long>(check->events), check->streams, check->kv_entries);
  return 0;
}

}  // namespace relais::cli
