// Moving projects from one version of a workflow to another: a phase
// mapping (old phase id -> new phase id) is checked before the runtime
// applies it.
//
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <set>
#include <string>

#include "engine/util/status.h"
#include "engine/workflow/definition.h"

namespace relais::workflow {

using PhaseMapping = std::map<std::string, std::string>;

// OK when every key is a phase of `old_def`, every value a phase of
// `new_def`, and every phase in `phases_in_use` (phases where projects are
// now) is mapped — or kept, when new_def has a phase with the same id.
// kInvalidArgument otherwise, listing every problem, one per line.
Status ValidatePhaseMapping(const WorkflowDefinition& old_def, const WorkflowDefinition& new_def,
                            const PhaseMapping& mapping, const std::set<std::string>& phases_in_use);

// Old phases are kept where new_def has the same id; the mapping overrides.
// REQUIRES: ValidatePhaseMapping returned OK for the same arguments.
std::string MapPhase(const PhaseMapping& mapping, const std::string& old_phase);

}  // namespace relais::workflow
