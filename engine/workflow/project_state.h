// ProjectState: where one project stands in its workflow, rebuilt by folding
// its recorded events with ApplyEvent. Events carry their resolved effects
// (see docs/workflow-language.md, "Recorded events"), so replaying history
// never re-evaluates guards and gives the same state under any later
// version of the workflow file.
//
// Thread-safety: plain values; ApplyEvent is a pure function.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/util/json.h"
#include "engine/util/status.h"
#include "engine/workflow/definition.h"
#include "engine/workflow/effects.h"

namespace relais::workflow {

// A project this one created (a transition's `spawn:`), as the project view lists it.
struct SpawnedLink {
  std::string project_id;
  std::string workflow;
  std::string link;
  friend bool operator==(const SpawnedLink&, const SpawnedLink&) = default;
};

struct ProjectState {
  bool created = false;
  std::string phase;                          // always a phase of the definition once created
  std::map<std::string, std::string> tracks;  // track id -> step, for the current phase's tracks
  // Keyed tracks (keyed_tracks.h): track id -> key -> step, for the current
  // phase's keyed tracks and the kept ones of phases left.
  std::map<std::string, std::map<std::string, std::string>> keyed_tracks;
  Json fields = Json::object();  // state fields, valid against the state schema
  bool suspended = false;
  std::map<std::string, std::string> armed_timers;  // timer id -> phase it was armed in
  // Armed timers whose due time the runtime recorded (effects.timers.due).
  std::map<std::string, TimePoint> timer_due;
  // Armed timers paused by a suspension -> seconds left; not due meanwhile.
  std::map<std::string, int64_t> paused_timers;
  uint64_t event_count = 0;          // events folded so far
  std::vector<SpawnedLink> spawned;  // projects created by its events, in order

  // {"phase": ..., "suspended": ..., "tracks": {...}}: what guards see as `project.`.
  // A keyed track is the list [{"key", "step"}...] under its id in "tracks".
  Json ProjectView() const;
  // A snapshot, and back. FromJson returns kCorruption for a malformed snapshot.
  Json ToJson() const;
  static StatusOr<ProjectState> FromJson(const Json& json);
  friend bool operator==(const ProjectState&, const ProjectState&) = default;
};

// One event as the store records it: type, the command's data and the
// effects the decision resolved.
struct RecordedEvent {
  std::string type;
  Json data = Json::object();
  Effects effects;

  Json ToJson() const;
  static StatusOr<RecordedEvent> FromJson(const Json& json);
  friend bool operator==(const RecordedEvent&, const RecordedEvent&) = default;
};

// The fold: state after `event`. kFailedPrecondition when the event does not
// fit (creating twice, an event before creation, a phase the definition does
// not have); kCorruption when its effects are malformed.
StatusOr<ProjectState> ApplyEvent(const WorkflowDefinition& def, const ProjectState& state, const RecordedEvent& event);

// The same, in place: no copy of the state (a long-lived project's fields can
// be large, and copying them per event makes a replay quadratic). On error
// *state is left partly updated: discard it.
Status ApplyEventInPlace(const WorkflowDefinition& def, ProjectState& state, const RecordedEvent& event);

// Folds `events` from the empty state.
StatusOr<ProjectState> Replay(const WorkflowDefinition& def, const std::vector<RecordedEvent>& events);

}  // namespace relais::workflow
