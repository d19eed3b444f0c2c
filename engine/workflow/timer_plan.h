// The timer part of a decision: which timers an accepted event arms,
// cancels, pauses and resumes (docs/workflow-language.md, section 6), as
// effects (effects.timers) and as the runtime's to-do lists (Decision::arm,
// cancel, pause, resume). Clock-free: due times are the runtime's.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>

#include "engine/workflow/decision.h"

namespace relais::workflow {

// What the decision knows of the event when it plans timers.
struct TimerStep {
  std::string event_type;
  std::optional<std::string> from;         // the phase before; absent at creation
  std::string to;                          // the phase after
  std::optional<std::string> fired_timer;  // the timer whose firing this is
  const Json* data = nullptr;              // the event's data (`at: event.<f>`); null at creation
};

// Fills effects.timers and d's arm/cancel/pause/resume lists. effects must
// already hold the event's field changes and suspension (`at: state.<f>`
// reads the state after them). A refusal (timer_date_invalid) when a timer
// armed now takes its date from a field that is absent or not a date.
std::optional<Refusal> PlanTimers(const WorkflowDefinition& def, const ProjectState& state, const TimerStep& step,
                                  Effects& effects, Decision& d);

// What the runtime needs to schedule timer t armed in phase.
TimerToArm ArmOf(const Timer& t, const std::string& phase);

}  // namespace relais::workflow
