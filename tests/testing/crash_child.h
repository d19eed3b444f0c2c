// What the child programs of crash tests share: each is one process life of
// the runtime, over a RocksDB store, with its clock set from the command line
// (<program> <store-dir> <now ISO-8601> <mode> [args]); any failure ends it
// with a message on stderr and exit status 1.
//
// Thread-safety: for a child's main thread.
#pragma once

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
inline ChildRuntime OpenChildRuntime(int argc, char** argv, const std::string& usage, const std::string& workflows_dir) {
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
