// TimerService: fires durable timers that are due. Each firing runs the
// timer's event as a command of the "system" role; the append that records
// it also deletes (or, for a repeating timer, moves) the timer's keys, so a
// timer fires exactly once even across crashes. A timer that fell due while
// the server was down fires at the first FireDue() after start.
//
// FireDue is driven by a TimerScheduler in production and called directly by
// tests with a ManualClock: nothing here sleeps. It reads the due timers a
// page at a time and hands each stream's run of them to a KeyedPool while it
// reads on: the streams fire on up to options.fire_threads threads at once
// (their durable appends share group commits), each stream's timers one
// batch after the other, in due order (docs/runtime.md).
//
// Thread-safety: safe for concurrent access from multiple threads without any
// external synchronization (concurrent FireDue calls serialize).
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/runtime/keyed_pool.h"
#include "engine/runtime/project_service.h"
#include "engine/runtime/timer_keys.h"

namespace relais::runtime {

struct TimerOptions {
  size_t fire_batch = 4096;  // due timers read per scan page
  size_t fire_threads = 32;  // streams fired at once (the fire pool's threads)
};

struct FireReport {
  size_t fired = 0;    // accepted: the event was recorded
  size_t refused = 0;  // the workflow refused it (stale timer): its keys were removed
};

class TimerService {
 public:
  // *store, *projects and *clock must outlive the service.
  TimerService(EventStore& store, ProjectService& projects, const Clock& clock, TimerOptions options = {});

  // Timers whose `fires` starts with prefix are handed to handler instead of
  // running as project commands (programme milestones, say): the due timers
  // of one stream (same project_id) at a time, in due order. The handler
  // returns how many it recorded as fired (the others were stale); either way
  // it must have removed every timer's keys (in the append that records the
  // firing, for exactly-once). It is called from the fire pool's threads,
  // for different streams at once. REQUIRES: called before FireDue.
  using FireHandler = std::function<StatusOr<size_t>(const std::vector<DueTimer>&)>;
  void RouteFires(std::string prefix, FireHandler handler);

  // Fires every timer due at or before clock.Now(), and returns once they
  // are all recorded (or found stale). After a failure the streams not yet
  // started are left for the next call.
  // Errors: kUnavailable when the store fails (remaining timers stay due).
  StatusOr<FireReport> FireDue();

  // When the earliest pending timer is due; nullopt when none is pending.
  StatusOr<std::optional<TimePoint>> NextDue();

  // Pending timers of one project (for the API and tests).
  StatusOr<std::vector<DueTimer>> PendingFor(const std::string& project_id);

 private:
  struct Burst;  // one FireDue's counts and first error, shared with the pool's threads
  Status FireOne(const DueTimer& timer, FireReport& report);
  // Fires one stream's run of due timers (route: an index in routes_, or
  // routes_.size() for project commands), counting into burst.
  void FireRun(size_t route, const std::vector<DueTimer>& timers, Burst& burst);

  EventStore& store_;
  ProjectService& projects_;
  const Clock& clock_;
  const TimerOptions options_;
  std::mutex fire_mu_;
  std::vector<std::pair<std::string, FireHandler>> routes_;
  KeyedPool pool_;  // declared last: its threads stop before the rest goes
};

}  // namespace relais::runtime
