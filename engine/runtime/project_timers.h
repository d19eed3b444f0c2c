// The timers of a project as the API and the dashboard show them: each armed
// timer with its labels, kind, period and due time, or the time it has left
// while paused by a suspension (docs/api.md, "Timers of a project"). Read
// from the folded state alone (effects.timers.due), so a cached project
// answers without touching the store.
//
// Thread-safety: pure function.
#pragma once

#include "engine/util/json.h"
#include "engine/workflow/definition.h"
#include "engine/workflow/project_state.h"

namespace relais::runtime {

// [{"id", "labels": {fr, en}, "kind": "after" | "at" | "every", "fires",
//   "period"? (every), "due": ISO 8601 | null, "paused_remaining"? (ISO 8601 duration)}],
// soonest first, then paused timers, then those whose due time is unknown
// (armed before due times were recorded). def may be null (labels are then empty).
Json ProjectTimersJson(const workflow::WorkflowDefinition* def, const workflow::ProjectState& state);

}  // namespace relais::runtime
