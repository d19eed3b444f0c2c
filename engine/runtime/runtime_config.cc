#include "engine/runtime/runtime_config.h"

#include "engine/util/config_reader.h"

namespace relais::runtime {

Status ParseRuntimeSection(const ConfigReader& r, const YAML::Node& node, RuntimeSection* out) {
  RuntimeSection& c = *out;
  RELAIS_RETURN_IF_ERROR(
      r.Map(node, "runtime",
            {
                r.UnsignedField("snapshot_every", &c.projects.snapshot_every, 1, 1'000'000),
                r.UnsignedField("project_cache_capacity", &c.projects.project_cache_capacity, 1, 100'000'000),
                r.UnsignedField("max_conflict_retries", &c.projects.max_conflict_retries, 0, 1000),
                r.UnsignedField("max_children_per_project", &c.projects.max_children_per_project, 1, 1'000'000),
                r.UnsignedField("command_handover_threads", &c.projects.handover_threads, 1, 64),
                r.MillisField("spawn_retry_interval_ms", &c.spawn.retry_interval, 100, kConfigMaxMillis),
                r.MillisField("timer_max_sleep_ms", &c.scheduler.max_sleep, 10, kConfigMaxMillis),
                r.MillisField("timer_commit_recheck_ms", &c.scheduler.commit_recheck, 0, 60'000),
                r.UnsignedField("timer_fire_batch", &c.timers.fire_batch, 1, 1'000'000),
                r.UnsignedField("timer_fire_threads", &c.timers.fire_threads, 1, 256),
                r.MillisField("late_sweep_interval_ms", &c.late_sweep.interval, 1'000, kConfigMaxMillis),
                r.UnsignedField("index_page_events", &c.index.page_events, 1, 1'000'000),
                r.UnsignedField("index_persist_every_events", &c.index.persist_every_events, 1, 100'000'000),
                r.BoolField("background_work", &c.background_work),
                r.MillisField("lease_ttl_ms", &c.lease.ttl, 1'000, 600'000),
                r.MillisField("lease_renew_interval_ms", &c.lease.renew_interval, 100, 300'000),
            }));
  if (c.lease.renew_interval * 2 >= c.lease.ttl)
    return r.Error(node.Mark(), "runtime.lease_renew_interval_ms is " + std::to_string(c.lease.renew_interval.count()) +
                                    " ms; expected less than half of runtime.lease_ttl_ms (" +
                                    std::to_string(c.lease.ttl.count()) +
                                    " ms), so that a holder renews at least twice before its lease expires");
  return Status::Ok();
}

}  // namespace relais::runtime
