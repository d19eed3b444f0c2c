// Keyed tracks: parallel tracks whose keys come from the project's state
// (one track per funder asked, each pending, granted or refused). A keyed
// track of a phase has one step per key of its keying list (`keyed_by`); a
// key appears on the track's first step when the list gains it, and leaves
// with it. The decision resolves every change into Effects::keyed_tracks, so
// the fold never reads the file's keying rules (docs/workflow-language.md,
// "Tracks keyed by data").
//
// Thread-safety: pure functions over their arguments.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/util/json.h"
#include "engine/workflow/definition.h"
#include "engine/workflow/effects.h"
#include "engine/workflow/guard.h"

namespace relais::workflow {

// The keys of `track` in `list` (its keying field's value): the texts of the
// list, or each item's `key_field` when the track names one, in list order,
// without duplicates. Items without a text key are skipped; a value that is
// not a list has no keys.
std::vector<std::string> TrackKeys(const Track& track, const Json& list);

// The keyed track with this id in any phase (keyed ids are unique in a
// workflow), or nullptr.
const Track* FindKeyedTrack(const WorkflowDefinition& def, std::string_view id);

// What guards and the API see of a keyed track: [{"key", "step"}, ...] in key order.
Json KeyedTrackView(const std::map<std::string, std::string>& steps);

// The JSON Schema of that view, for load-time checks of guards
// (`all(project.tracks.financeurs, item.step == 'accorde')`).
Json KeyedTrackViewSchema(const Track& track);

// The canonical JSON of a keyed track's keying ({"keyed_by", "key"?, "keep"})
// and of a transition's keyed moves ([{"track", "key", "to"}...]).
Json KeyedTrackJson(const Track& track);
Json KeyedMovesJson(const std::vector<KeyedTrackMove>& moves);

// Why a keyed move could not be resolved: its key expression failed
// (`expression` set), or it gave a key that is not in the track's list.
struct KeyedTrackError {
  const KeyedTrackMove* move = nullptr;
  std::optional<ExpressionError> expression;
  Json key;                       // the value the key expression gave
  std::vector<std::string> keys;  // the track's keys after the event
};

// Fills effects.keyed_tracks for an event that leaves the project in phase
// `to`, coming from `from` (absent at creation): keyed tracks of a phase left
// end unless kept; those of a phase entered start with every key on their
// first step; those of a phase stayed in gain and lose keys as their list
// did, then `moves` apply. field_after(field) is a state field's value after
// the event's changes (null when absent); keys are evaluated in `ctx` (the
// state before the event). REQUIRES: `to` is a phase of def.
std::optional<KeyedTrackError> PlanKeyedTracks(const WorkflowDefinition& def,
                                               const std::map<std::string, std::map<std::string, std::string>>& before,
                                               const std::optional<std::string>& from, const std::string& to,
                                               const std::function<Json(const std::string&)>& field_after,
                                               const std::vector<KeyedTrackMove>& moves, const GuardContext& ctx,
                                               Effects& effects);

// The fold of effects.keyed_tracks into a project's keyed tracks.
void ApplyKeyedTracks(const std::map<std::string, KeyedTrackChange>& changes,
                      std::map<std::string, std::map<std::string, std::string>>& tracks);

}  // namespace relais::workflow
