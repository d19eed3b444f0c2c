// Loading a workflow file (YAML, or JSON which is YAML) into a validated
// WorkflowDefinition. All checks happen here, before anything runs: syntax,
// unknown keys, duplicate ids, unknown phases/roles/events/fields, bad guard
// expressions and durations, unreachable phases (errors) and dead ends (warnings).
//
// Thread-safety: stateless functions; safe from any thread.
#pragma once

#include <optional>
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

// Loads `text`; `file_name` is used in diagnostics only. Never throws; reports
// every error and warning found (up to limits.max_diagnostics).
LoadResult LoadWorkflowWithDiagnostics(std::string_view text, std::string_view file_name,
                                       const WorkflowLimits& limits = DefaultLimits());

// Loads `text`. On any error returns kInvalidArgument whose message lists all
// diagnostics (one per line). Warnings do not fail the load.
StatusOr<WorkflowDefinition> LoadWorkflow(std::string_view text, std::string_view file_name,
                                          const WorkflowLimits& limits = DefaultLimits());

// Reads and loads a file. kNotFound when it can not be read; otherwise as LoadWorkflow.
StatusOr<WorkflowDefinition> LoadWorkflowFile(const std::string& path, const WorkflowLimits& limits = DefaultLimits());

}  // namespace relais::workflow
