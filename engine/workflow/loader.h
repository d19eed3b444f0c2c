// Loading a workflow file (YAML, or JSON which is YAML) into a validated
// WorkflowDefinition. All checks happen here, before anything runs: syntax,
// unknown keys, duplicate ids, unknown phases/roles/events/fields, bad guard
// expressions and durations, unreachable phases (errors) and dead ends (warnings).
//
// Thread-safety: stateless functions; safe from any thread.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "engine/util/status.h"
#include "engine/workflow/definition.h"
#include "engine/workflow/diagnostics.h"
#include "engine/workflow/limits.h"

namespace relais::workflow {

struct LoadResult {
  std::optional<WorkflowDefinition> definition;  // set iff diagnostics has no error
  Diagnostics diagnostics;
};

// The other workflows a file names (`children:`), for the checks that cross
// files: the definition a name stands for where the file is loaded (the one
// deployed, or a file given or found beside it), or null when unknown.
using LinkedWorkflows = std::function<const WorkflowDefinition*(const std::string& name)>;

// Loads `text`; `file_name` is used in diagnostics only. Never throws; reports
// every error and warning found (up to limits.max_diagnostics). With
// `linked`, a guard counting children by phase
// (project.children.<kind>.phases.<phase>) must name a phase of the child
// workflow (error), and a child workflow `linked` does not know is a warning
// (its phases are then checked where it is known: at deploy, or by
// `relais validate` given both files); without it, those phases are not checked.
LoadResult LoadWorkflowWithDiagnostics(std::string_view text, std::string_view file_name,
                                       const WorkflowLimits& limits = DefaultLimits(),
                                       const LinkedWorkflows& linked = {});

// Loads `text`. On any error returns kInvalidArgument whose message lists all
// diagnostics (one per line). Warnings do not fail the load.
StatusOr<WorkflowDefinition> LoadWorkflow(std::string_view text, std::string_view file_name,
                                          const WorkflowLimits& limits = DefaultLimits());

// Reads and loads a file. kNotFound when it can not be read; otherwise as LoadWorkflow.
StatusOr<WorkflowDefinition> LoadWorkflowFile(const std::string& path, const WorkflowLimits& limits = DefaultLimits());

}  // namespace relais::workflow
