// Durable timers in the store's key-value space (docs/runtime.md):
//   timer/due/<due µs, 16 hex digits>/<project>/<timer id> -> DueTimer JSON
//   timer/of/<project>/<timer id>                          -> its due key
// Due keys sort by due time, so "what is due" is one prefix scan from the
// start, and a restart needs no timer in memory. Arming and cancelling are
// side writes of the append that decides them; firing deletes (or re-arms)
// them in the append of the event it fires.
//
// Thread-safety: stateless functions.
#pragma once

#include <optional>
#include <string>

#include "engine/store/event_store.h"
#include "engine/util/clock.h"
#include "engine/util/json.h"
#include "engine/workflow/decision.h"

namespace relais::runtime {

inline constexpr std::string_view kTimerDuePrefix = "timer/due/";
inline constexpr std::string_view kTimerOfPrefix = "timer/of/";

struct DueTimer {
  std::string project_id;
  std::string timer_id;
  std::string fires;  // event type
  TimePoint due{};
  bool repeating = false;
  workflow::IsoDuration period;  // repeating: the time between occurrences
  // What the timer's handler needs to fire it without loading its stream
  // (a programme milestone's kind, date, person...); null when none.
  Json payload;

  std::string DueKey() const;
  Json ToJson() const;
  // DumpJson(ToJson()), written without building the tree (each armed timer's entry).
  std::string ToJsonText() const;
  static StatusOr<DueTimer> FromJson(const Json& json);
};

std::string TimerOfKey(std::string_view project_id, std::string_view timer_id);
// The first due key strictly after `t`: scanning [kTimerDuePrefix, DueKeyBound(now)) finds what is due.
std::string DueKeyBound(TimePoint t);

// When a timer armed at `now` falls due.
// Errors: kInvalidArgument for an `at` date that does not parse.
StatusOr<DueTimer> ScheduleTimer(std::string_view project_id, const workflow::TimerToArm& arm, TimePoint now);

// The period of a timer that repeats n times a year: 12/n months when n
// divides 12, else 365/n days.
workflow::IsoDuration PeriodOf(int times_per_year);

}  // namespace relais::runtime
