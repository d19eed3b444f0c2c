// Moving projects from one version of a workflow to another: a phase
// mapping (old phase id -> new phase id) is checked before the runtime
// applies it, and so is what the project holds that the new version must
// still know (its kinds of children, its keyed tracks' steps). The keyed
// tracks a migration starts, follows or ends are planned here, so the fold
// of the migration event applies recorded changes and never reads the files.
//
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <set>
#include <string>

#include "engine/util/status.h"
#include "engine/workflow/definition.h"
#include "engine/workflow/effects.h"

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

// What one project holds that names parts of its workflow besides phases.
struct HeldLinks {
  std::map<std::string, size_t> children;  // kind of children (the index's link) -> how many
  std::map<std::string, std::map<std::string, std::string>> keyed_tracks;  // track -> key -> step
};

// OK when new_def still knows what the project holds: every kind of
// children it has is declared with the same child workflow (a kind renamed
// is a kind dropped: the index names children by kind), every keyed track
// holding keys is a keyed track of new_def and has every step in use.
// kInvalidArgument otherwise, one problem per line, each saying what to
// keep in the new file.
Status ValidateHeldLinks(const WorkflowDefinition& old_def, const WorkflowDefinition& new_def, const HeldLinks& held);

// The keyed tracks' changes of a migration that leaves the project in
// `new_phase` of new_def, with state fields `fields` (an object): a track it
// holds that is a keyed track of new_phase follows its keying list (keys
// added on the first step, keys gone removed, steps kept); one of new_phase
// it does not hold starts with every key on its first step; one kept
// (`keep: true` in new_def) stays; any other ends (its phase was left).
// REQUIRES: ValidateHeldLinks returned OK; new_phase is a phase of new_def.
std::map<std::string, KeyedTrackChange> MigratedKeyedTracks(
    const WorkflowDefinition& new_def, const std::map<std::string, std::map<std::string, std::string>>& held,
    const std::string& new_phase, const Json& fields);

// One line per change, for `relais migrate --dry-run`: "keyed track 'x':
// starts with 2 key(s)", "... follows its list (+1, -0)", "... ends (3 key(s))".
std::string DescribeKeyedTrackChanges(const std::map<std::string, KeyedTrackChange>& changes,
                                      const std::map<std::string, std::map<std::string, std::string>>& held);

}  // namespace relais::workflow
