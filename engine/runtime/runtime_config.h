// The runtime's options as one section of the configuration file
// (`runtime:`, docs/config.md): projects, timers, the scheduler, the read
// model and the lateness sweep. Each member is its unit's own Options, with
// that unit's defaults.
#pragma once

#include "engine/runtime/late_sweep.h"
#include "engine/runtime/lease_keeper.h"
#include "engine/runtime/project_index.h"
#include "engine/runtime/project_service.h"
#include "engine/runtime/spawner.h"
#include "engine/runtime/timer_scheduler.h"
#include "engine/runtime/timer_service.h"
#include "engine/util/config_section.h"

namespace relais::runtime {

struct RuntimeSection {
  RuntimeOptions projects;     // snapshot_every, project_cache_capacity, max_conflict_retries, max_children_per_project
  TimerOptions timers;         // timer_fire_batch, timer_fire_threads
  SchedulerOptions scheduler;  // timer_max_sleep_ms, timer_commit_recheck_ms
  IndexOptions index;          // index_page_events, index_persist_every_events
  LateSweepOptions late_sweep;  // late_sweep_interval_ms
  SpawnOptions spawn;           // spawn_retry_interval_ms
  // Timer firing, webhook and e-mail dispatch, the lateness sweep and
  // spawning may run on this node (runtime.background_work): on the one node
  // holding the store's "background" lease at a time (docs/deploy.md).
  bool background_work = true;
  LeaseOptions lease;  // lease_ttl_ms, lease_renew_interval_ms
};

// Keys absent keep their value in *out.
Status ParseRuntimeSection(const ConfigReader& r, const YAML::Node& node, RuntimeSection* out);

}  // namespace relais::runtime
