// The loader's part for tracks that the phase loader does not do itself:
// a track's keyed form (keyed_by, key, keep, step_labels) and a transition's
// `tracks:` moves, fixed (`partenaires: mobilises`) or keyed
// (`financeurs: {key: event.financeur, to: accorde}`). Every problem is a
// located diagnostic (docs/workflow-language.md, "Tracks keyed by data").
//
// Thread-safety: not thread-safe; used by one load.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "engine/workflow/definition.h"
#include "engine/workflow/expression_types.h"
#include "engine/workflow/yaml_reader.h"

namespace relais::workflow {

// The keys a track may have in a file.
const std::vector<std::string>& TrackKeysAllowed();

// What the track loaders borrow from the loader. All references must remain
// live while the functions run.
struct TrackLoadContext {
  YamlReader& reader;
  const WorkflowDefinition& def;  // state schema and phases loaded
  // The loader's labels reader ({fr, en}, reported when bad).
  std::function<Labels(const YAML::Node&, const std::string& what, SourceLocation fallback)> labels;
};

// Reads `item`'s keyed_by / key / keep / step_labels into `track` (its id and
// steps already read), checked against the state schema.
void LoadTrackExtras(TrackLoadContext& ctx, const YAML::Node& item, Track& track);

// After every phase is loaded: reports a keyed track whose id another track
// of the workflow also has (project.tracks.<id> must name one thing).
void CheckKeyedTrackIds(const WorkflowDefinition& def, Diagnostics& diag);

// {track id: KeyedTrackViewSchema} of def's keyed tracks, for ExpressionScope.
Json KeyedTrackSchemas(const WorkflowDefinition& def);

// A transition's `tracks:` map into t.track_moves and t.keyed_track_moves,
// checked in each phase of `phases` (where the project is after the
// transition). parse_key parses and checks a key expression (reporting its
// problems), scope types it.
void LoadTrackMoves(TrackLoadContext& ctx, const YAML::Node& node, const std::vector<std::string>& phases,
                    const std::function<std::optional<Guard>(const YAML::Node&)>& parse_key,
                    const ExpressionScope& scope, Transition& t);

}  // namespace relais::workflow
