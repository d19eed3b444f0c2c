// NextSteps: what a project may do next from where it stands, and what it
// still lacks (the dashboard's "what is missing" panel, GET
// /v1/projects/{id}/next-steps): every event allowed in the current phase
// (and while suspended, if it is) whose transitions can lead to another
// phase, with each of its `requires:` clauses evaluated against the state
// as it stands. A clause that reads the event's own data (`event.`) cannot
// be judged before the event is recorded: it is listed as such, not as
// unmet. Nothing here decides: a command is still decided by Decide.
//
// Thread-safety: pure functions over immutable inputs.
#pragma once

#include <string>
#include <vector>

#include "engine/util/json.h"
#include "engine/workflow/definition.h"
#include "engine/workflow/guard.h"
#include "engine/workflow/project_state.h"

namespace relais::workflow {

struct StepCondition {
  const GuardClause* clause = nullptr;
  bool on_record = false;                // reads `event.`: judged when the event is recorded
  bool met = false;                      // meaningful when !on_record
  std::map<std::string, Json> observed;  // the values the guard read (unmet clauses)
  std::optional<ExpressionError> error;  // cannot be computed on this state
};

struct NextStep {
  const EventType* event = nullptr;
  std::vector<std::string> to;  // phases its transitions may reach, other than the current one, in file order
  std::vector<StepCondition> conditions;
  // Every clause that can be judged now holds.
  bool ready() const;
};

// children: what `project.children` reads (ProjectService::ChildCounts), or
// null when the workflow has no kinds of sub-items.
std::vector<NextStep> NextSteps(const WorkflowDefinition& def, const ProjectState& state, const Json* children);

// {"phase", "suspended", "steps": [{"event", "labels", "roles", "to": [{"phase",
// "labels"}], "ready", "conditions": [{"guard", "on_record", "met",
// "messages": {fr, en} | null, "observed": {path: value}, "error"?, "at"}]}]}.
Json NextStepsJson(const WorkflowDefinition& def, const ProjectState& state, const std::vector<NextStep>& steps);

}  // namespace relais::workflow
