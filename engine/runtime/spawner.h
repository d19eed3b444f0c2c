// Spawner: creates the projects that transitions spawn (`spawn:`). The
// spawning event's append queues each one under kSpawnPendingPrefix in the
// same atomic batch, with an id derived from the event; the spawner creates
// it (ProjectService::Create with an idempotency key derived from that id)
// and then deletes the pending entry. A crash anywhere leaves either the
// entry (the next run creates the project, or finds it created and only
// deletes the entry) or nothing left to do: never two projects, never none.
//
// The runtime host runs RunPending at start, whenever ProjectService says a
// spawn was queued, and every spawn_retry_interval while entries remain
// (a creation that failed, e.g. the workflow was withdrawn, is retried and
// logged; docs/runtime.md, "Spawning").
//
// Thread-safety: RunPending may be called from any thread; calls are
// serialized internally.
#pragma once

#include <chrono>
#include <mutex>

#include "engine/runtime/project_service.h"
#include "engine/util/log.h"

namespace relais::runtime {

struct SpawnOptions {
  std::chrono::milliseconds retry_interval{30'000};  // runtime.spawn_retry_interval_ms
  size_t page = 256;                                 // pending entries read per scan
};

class Spawner {
 public:
  Spawner(EventStore& store, ProjectService& projects, Logger* log, SpawnOptions options = {})
      : store_(store), projects_(projects), log_(log), options_(options) {}

  // Creates every queued project. *created counts those this call created
  // (an entry whose project already existed is only cleared); *left counts
  // entries still pending because their creation failed (logged).
  // Errors: the store's (kUnavailable); an entry's own failure is not one.
  Status RunPending(size_t* created, size_t* left);

  const SpawnOptions& options() const { return options_; }

 private:
  // Creates the project of one pending entry; true when the entry is done.
  StatusOr<bool> CreateOne(const KvEntry& entry, size_t* created);

  EventStore& store_;
  ProjectService& projects_;
  Logger* log_;
  const SpawnOptions options_;
  std::mutex run_mu_;
};

}  // namespace relais::runtime
