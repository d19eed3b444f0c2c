// What the child programs of crash tests share: each is one process life of
// the runtime, over a RocksDB store, with its clock set from the command line
// (<program> <store-dir> <now ISO-8601> <mode> [args]); any failure ends it
// with a message on stderr and exit status 1.
//
// Thread-safety: for a child's main thread.
#pragma once

#include <signal.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "engine/runtime/timer_service.h"
#include "engine/runtime/workflow_registry.h"
#include "engine/store/rocksdb_event_store.h"
#include "engine/util/time_format.h"

namespace relais::testing {

[[noreturn]] inline void DieChild(const std::string& what) {
  std::fprintf(stderr, "crash child: %s\n", what.c_str());
  std::exit(1);
}

inline void CheckChild(const Status& s, const std::string& what) {
  if (!s.ok()) DieChild(what + ": " + s.ToString());
}

struct ChildRuntime {
  std::unique_ptr<ManualClock> clock;
  std::unique_ptr<RocksDbEventStore> store;
  std::unique_ptr<runtime::WorkflowRegistry> registry;  // the workflows of workflows_dir deployed
  std::string mode;                                     // argv[3]
};

// Opens the store argv[1] with a clock at argv[2] and deploys workflows_dir.
inline ChildRuntime OpenChildRuntime(int argc, char** argv, const std::string& usage,
                                     const std::string& workflows_dir) {
  if (argc < 4) DieChild("usage: " + usage);
  auto now = ParseIso8601(argv[2]);
  if (!now.ok()) DieChild(now.status().ToString());
  ChildRuntime out;
  out.clock = std::make_unique<ManualClock>(*now);
  RocksDbStoreOptions options;
  options.path = argv[1];
  options.clock = out.clock.get();
  auto store = RocksDbEventStore::Open(options);
  if (!store.ok()) DieChild(store.status().ToString());
  out.store = std::move(store).value();
  out.registry = std::make_unique<runtime::WorkflowRegistry>(*out.store);
  CheckChild(out.registry->LoadPersisted(), "loading workflows");
  CheckChild(out.registry->DeployDirectory(workflows_dir), "deploying workflows");
  out.mode = argv[3];
  return out;
}

// A pause point: lets the parent SIGKILL the child at a chosen place, by
// construction rather than by timing. Built from the environment variable
// env_name (a count N >= 1; absent or empty: the point never pauses). The
// N-th Reach() prints "PAUSED <label> <N>" on stdout and stops the whole
// process with SIGSTOP; the parent, having read that line, kills it there
// (SIGKILL ends a stopped process). Reach is safe from any thread; the
// stop freezes every thread of the process at once.
class PausePoint {
 public:
  PausePoint(const char* env_name, std::string label) : label_(std::move(label)) {
    const char* text = std::getenv(env_name);
    if (text != nullptr && *text != '\0') {
      char* end = nullptr;
      const long n = std::strtol(text, &end, 10);
      if (*end != '\0' || n < 1) DieChild(std::string(env_name) + " must be a count >= 1, got '" + text + "'");
      at_ = static_cast<uint64_t>(n);
    }
  }
  void Reach() {
    if (at_ == 0 || ++reached_ != at_) return;
    std::printf("PAUSED %s %llu\n", label_.c_str(), static_cast<unsigned long long>(at_));
    std::fflush(stdout);
    raise(SIGSTOP);
  }

 private:
  const std::string label_;
  uint64_t at_ = 0;  // 0: never
  std::atomic<uint64_t> reached_{0};
};

// The "fire" mode: prints READY (the parent may kill from now on), fires
// what is due and prints "fired=N refused=M". Returns the exit status.
inline int FireDueAndReport(runtime::TimerService& timers) {
  std::printf("READY\n");
  std::fflush(stdout);
  auto report = timers.FireDue();
  if (!report.ok()) DieChild(report.status().ToString());
  std::printf("fired=%zu refused=%zu\n", report->fired, report->refused);
  return 0;
}

}  // namespace relais::testing
