// DefinitionDiff: what a new version of a workflow changes against the
// current one, in the terms a coordinator uploading a file reads before
// deploying it: phases and events added, removed or changed (a changed one
// differs in its canonical JSON: labels, schema, rules, transitions), and
// whether the state's schema changed.
//
// Thread-safety: pure functions.
#pragma once

#include "engine/util/json.h"
#include "engine/workflow/definition.h"

namespace relais::workflow {

// {"against": hash of `current`, "phases": {"added": [ids], "removed": [ids],
// "changed": [ids]}, "events": {"added": [types], ...}, "state_changed": bool,
// "same": bool}; ids in the order of the version that has them.
Json DefinitionDiff(const WorkflowDefinition& current, const WorkflowDefinition& next);

}  // namespace relais::workflow
