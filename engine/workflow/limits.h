// WorkflowLimits: every bound the workflow language enforces, in one place,
// so hostile or accidental inputs fail with a diagnostic instead of a crash.
//
// Thread-safety: a plain value; safe to share read-only.
#pragma once

#include <cstddef>

namespace relais::workflow {

struct WorkflowLimits {
  // Loader: a workflow file is written by a person; anything bigger is a mistake.
  size_t max_file_bytes = 512 * 1024;
  // YAML nesting we walk recursively (yaml-cpp has its own, much larger, guard).
  size_t max_yaml_depth = 64;
  // Total YAML nodes visited, aliases included, so "billion laughs" stays cheap.
  size_t max_yaml_nodes = 200'000;
  size_t max_phases = 256;
  size_t max_events = 512;
  size_t max_timers = 256;
  size_t max_child_kinds = 32;  // `children:` entries
  size_t max_spawns_per_transition = 8;
  size_t max_spawn_fields = 64;
  size_t max_transitions_per_event = 64;
  size_t max_identifier_length = 64;
  int max_version = 1'000'000;
  // Bytes of one text of a guard's or transition's `message:` (per language).
  size_t max_message_bytes = 1024;
  // "did you mean" compares names up to this length (edit distance is quadratic).
  size_t max_suggestion_length = 64;
  // Diagnostics kept; the rest are counted in one final note.
  size_t max_diagnostics = 200;

  // Guard expressions.
  size_t max_guard_length = 4096;
  size_t max_guard_depth = 32;  // parenthesis / not / and / or nesting
  size_t max_guard_path_segments = 8;
  size_t max_guard_list_items = 256;  // literals in `x in [...]`
  // Operators in one row of + - or * / (a left-leaning tree: a long row is a deep one).
  size_t max_guard_chain = 32;
  size_t max_string_literal = 1024;

  // JSON Schema (draft 7) in workflow files: sub-schema nesting the loader walks.
  size_t max_schema_depth = 16;
  // Event data and state checked at decision time.
  size_t max_json_depth = 32;
  size_t max_violations = 50;

  // Timers: "repeat N times a year" is at most weekly.
  int max_times_per_year = 52;
  int max_duration_component = 100'000;
};

// The defaults used wherever no limits are passed.
inline const WorkflowLimits& DefaultLimits() {
  static const WorkflowLimits kLimits;
  return kLimits;
}

}  // namespace relais::workflow
