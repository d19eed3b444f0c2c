// TimerService: fires durable timers that are due. Each firing runs the
// timer's event as a command of the "system" role; the append that records
// it also deletes (or, for a repeating timer, moves) the timer's keys, so a
// timer fires exactly once even across crashes. A timer that fell due while
// the server was down fires at the first FireDue() after start.
//
// FireDue is driven by a TimerScheduler in production and called directly by
// tests with a ManualClock: nothing here sleeps.
//
// Thread-safety: safe for concurrent access from multiple threads without any
// external synchronization (concurrent FireDue calls serialize).
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/runtime/project_service.h"
#include "engine/runtime/timer_keys.h"

namespace relais::runtime {

struct TimerOptions {
  size_t fire_batch = 4096;         // due timers read per scan page
  size_t routed_fire_threads = 32;  // routed streams fired at once (RouteFires)
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
  // firing, for exactly-once). Streams are handled by up to
  // options.routed_fire_threads threads at once, so their durable appends
  // share group commits. REQUIRES: called before FireDue.
  using FireHandler = std::function<StatusOr<size_t>(const std::vector<DueTimer>&)>;
  void RouteFires(std::string prefix, FireHandler handler);

  // Fires every timer due at or before clock.Now().
  // Errors: kUnavailable when the store fails (remaining timers stay due).
  StatusOr<FireReport> FireDue();

  // When the earliest pending timer is due; nullopt when none is pending.
  StatusOr<std::optional<TimePoint>> NextDue();

  // Pending timers of one project (for the API and tests).
  StatusOr<std::vector<DueTimer>> PendingFor(const std::string& project_id);

 private:
  Status FireOne(const DueTimer& timer, FireReport& report);
  // Fires the routed timers gathered from one page, grouped by stream.
  Status FireRouted(std::map<std::pair<size_t, std::string>, std::vector<DueTimer>>& groups, FireReport& report);

  EventStore& store_;
  ProjectService& projects_;
  const Clock& clock_;
  const TimerOptions options_;
  std::mutex fire_mu_;
  std::vector<std::pair<std::string, FireHandler>> routes_;
};

}  // namespace relais::runtime
