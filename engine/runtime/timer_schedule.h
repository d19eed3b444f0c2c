// Schedules what a decision decided about timers: arms, cancels, pauses and
// resumes their durable keys (through TimerWrites, as side writes of the
// append) and records in the decided events' effects what only the runtime
// knows, the clock's part: each scheduled timer's due time
// (effects.timers.due) and each paused timer's time left
// (effects.timers.paused). Folding those events then gives the same timers
// in the cache and in a replay of the history.
//
// Thread-safety: not thread-safe; called under the aggregate's command lock.
#pragma once

#include <optional>
#include <string>

#include "engine/runtime/timer_keys.h"
#include "engine/store/event_store.h"
#include "engine/workflow/decision.h"

namespace relais::runtime {

// REQUIRES: decision is the one decided on `before`, with its events not yet
// stored. firing: the due timer whose firing the decision answers, if any.
// Errors: the store's (reading timer keys); kInvalidArgument for an `at`
// date that does not parse.
Status ScheduleDecidedTimers(EventStore& store, const std::string& project_id, const workflow::ProjectState& before,
                             workflow::Decision& decision, const std::optional<DueTimer>& firing, TimePoint now,
                             KvWrites& writes);

}  // namespace relais::runtime
