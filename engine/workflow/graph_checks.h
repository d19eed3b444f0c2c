// Whole-workflow checks run after every part is loaded: phases unreachable
// from the initial phases (error) and non-terminal phases with no way out
// (warning), using the events allowed in each phase and their transitions.
//
// Thread-safety: stateless functions.
#pragma once

#include <set>
#include <string>

#include "engine/workflow/definition.h"
#include "engine/workflow/diagnostics.h"

namespace relais::workflow {

// The phases an event may be fired in.
std::vector<std::string> PhasesAllowing(const WorkflowDefinition& def, const EventType& event);

// Phase ids reachable from the initial phases.
std::set<std::string> ReachablePhases(const WorkflowDefinition& def);

void CheckPhaseGraph(const WorkflowDefinition& def, Diagnostics& diagnostics);

}  // namespace relais::workflow
