#include "engine/workflow/loader_tracks.h"

#include <algorithm>

#include "engine/workflow/json_schema.h"
#include "engine/workflow/keyed_tracks.h"

namespace relais::workflow {
namespace {

using Loc = SourceLocation;

bool ValidIdentifier(const std::string& s) {
  bool ok = !s.empty() && s[0] >= 'a' && s[0] <= 'z';
  for (char c : s) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  return ok;
}

std::vector<std::string> PropertiesOf(const Json& schema, bool texts_only) {
  std::vector<std::string> out;
  auto props = schema.find("properties");
  if (props == schema.end() || !props->is_object()) return out;
  for (const auto& [k, v] : props->items())
    if (!texts_only || SchemaTypes(v) == std::vector<std::string>{"string"}) out.push_back(k);
  return out;
}

// keyed_by: state.<field>, a list of texts (or of objects, with key: <member>).
void LoadKeying(TrackLoadContext& ctx, const YAML::Node& item, Track& track) {
  Diagnostics& diag = ctx.reader.diag();
  const YAML::Node by = item["keyed_by"];
  auto text = ctx.reader.String(by, "keyed_by", track.location);
  if (!text) return;
  const std::string prefix = std::string(kStateRoot) + ".";
  const std::string field = text->rfind(prefix, 0) == 0 ? text->substr(prefix.size()) : "";
  if (!ValidIdentifier(field)) {
    diag.Error(YamlReader::Loc(by), "bad-keyed-by", "keyed_by names the state list whose items are the keys",
               "'" + *text + "'", "state.<field>, a list field of the state",
               "e.g. keyed_by: state.financeurs_sollicites");
    return;
  }
  const Json* schema = SchemaAt(ctx.def.state_schema, {field}, 0);
  if (schema == nullptr) {
    std::vector<std::string> declared = PropertiesOf(ctx.def.state_schema, false);
    diag.Error(YamlReader::Loc(by), "unknown-field", "keyed_by names a field not declared in the state schema",
               "'" + *text + "'",
               declared.empty() ? "a field declared under state.properties" : "one of " + JoinNames(declared),
               DidYouMean(field, declared));
    return;
  }
  std::vector<std::string> types = SchemaTypes(*schema);
  if (types != std::vector<std::string>{"array"}) {
    diag.Error(YamlReader::Loc(by), "keyed-by-type", "keyed_by needs a list field",
               "'" + *text + "' of type " + (types.empty() ? "any" : JoinNames(types)), "a field of type array",
               "the track has one step per element of the list");
    return;
  }
  auto items_it = schema->find("items");
  const Json* items = items_it != schema->end() && items_it->is_object() ? &*items_it : nullptr;
  std::vector<std::string> item_types = items ? SchemaTypes(*items) : std::vector<std::string>{};
  if (const YAML::Node key = item["key"]; key.IsDefined()) {
    auto member = ctx.reader.Identifier(key, "key", track.location);
    if (!member) return;
    std::vector<std::string> texts = items ? PropertiesOf(*items, true) : std::vector<std::string>{};
    if (std::find(texts.begin(), texts.end(), *member) == texts.end()) {
      diag.Error(YamlReader::Loc(key), "unknown-field",
                 "the items of " + *text + " have no text member '" + *member + "'", "'" + *member + "'",
                 texts.empty() ? "items of type object with a member of type string" : "one of " + JoinNames(texts),
                 DidYouMean(*member, texts));
      return;
    }
    track.key_field = *member;
  } else if (!item_types.empty() && item_types != std::vector<std::string>{"string"}) {
    std::vector<std::string> texts = items ? PropertiesOf(*items, true) : std::vector<std::string>{};
    diag.Error(YamlReader::Loc(by), "keyed-by-type", "the items of " + *text + " are not texts",
               "items of type " + JoinNames(item_types), "a list of texts, or key: <member> for a list of objects",
               texts.empty() ? "" : "add key: " + texts.front() + " to key the track by that member");
    return;
  }
  track.keyed_by = field;
}

}  // namespace

const std::vector<std::string>& TrackKeysAllowed() {
  static const std::vector<std::string> kKeys = {"id", "labels", "steps", "keyed_by", "key", "keep", "step_labels"};
  return kKeys;
}

void LoadTrackExtras(TrackLoadContext& ctx, const YAML::Node& item, Track& track) {
  Diagnostics& diag = ctx.reader.diag();
  if (item["keyed_by"].IsDefined()) {
    LoadKeying(ctx, item, track);
    if (const YAML::Node keep = item["keep"]; keep.IsDefined())
      track.keep = ctx.reader.Bool(keep, "keep", track.location).value_or(false);
  } else {
    for (const char* only_keyed : {"key", "keep"})
      if (const YAML::Node n = item[only_keyed]; n.IsDefined())
        diag.Error(YamlReader::Loc(n), "fixed-track", std::string(only_keyed) + " applies to keyed tracks only",
                   "'" + std::string(only_keyed) + "' on track '" + track.id + "'", "keyed_by: state.<list field>",
                   "a fixed track ends with its phase; add keyed_by to have one track per element of a list");
  }
  const YAML::Node labels = item["step_labels"];
  if (!labels.IsDefined() || !ctx.reader.ExpectMap(labels, "step_labels", track.location)) return;
  for (const auto& kv : labels) {
    auto step = ctx.reader.Identifier(kv.first, "step", track.location);
    if (!step) continue;
    if (std::find(track.steps.begin(), track.steps.end(), *step) == track.steps.end()) {
      diag.Error(YamlReader::Loc(kv.first), "unknown-step",
                 "step_labels names an unknown step of track '" + track.id + "'", "'" + *step + "'",
                 "one of " + JoinNames(track.steps), DidYouMean(*step, track.steps));
      continue;
    }
    track.step_labels[*step] = ctx.labels(kv.second, "labels of step '" + *step + "'", YamlReader::Loc(kv.first));
  }
}

void CheckKeyedTrackIds(const WorkflowDefinition& def, Diagnostics& diag) {
  for (const auto& p : def.phases)
    for (const auto& t : p.tracks) {
      if (!t.keyed()) continue;
      for (const auto& other_phase : def.phases)
        for (const auto& other : other_phase.tracks)
          if (&other != &t && other.id == t.id) {
            diag.Error(other.location, "duplicate",
                       "track '" + t.id + "' of phase '" + other_phase.id +
                           "' has the id of the keyed track of phase '" + p.id + "'",
                       "'" + t.id + "'", "an id no other track of the workflow has",
                       "project.tracks." + t.id + " must name one track: rename one of them");
          }
    }
}

Json KeyedTrackSchemas(const WorkflowDefinition& def) {
  Json out = Json::object();
  for (const auto& p : def.phases)
    for (const auto& t : p.tracks)
      if (t.keyed()) out[t.id] = KeyedTrackViewSchema(t);
  return out;
}

void LoadTrackMoves(TrackLoadContext& ctx, const YAML::Node& node, const std::vector<std::string>& phases,
                    const std::function<std::optional<Guard>(const YAML::Node&)>& parse_key,
                    const ExpressionScope& scope, Transition& t) {
  Diagnostics& diag = ctx.reader.diag();
  for (const auto& kv : node) {
    const Loc at = YamlReader::Loc(kv.first);
    // `financeurs[event.financeur]: accorde` reads well but is not the form.
    if (IsScalarNode(kv.first) && kv.first.Scalar().find('[') != std::string::npos) {
      const std::string& text = kv.first.Scalar();
      const std::string track = text.substr(0, text.find('['));
      const size_t close = text.find(']');
      const std::string key =
          close == std::string::npos ? "event.<field>" : text.substr(track.size() + 1, close - track.size() - 1);
      const std::string step = IsScalarNode(kv.second) ? kv.second.Scalar() : "<step>";
      diag.Error(at, "keyed-track-move",
                 "a keyed track is moved one key at a time, with key: and to:", "'" + text + "'",
                 "<track>: <step> for a fixed track, <track>: {key: <expression>, to: <step>}",
                 "write " + track + ": {key: " + key + ", to: " + step + "}");
      continue;
    }
    auto track_id = ctx.reader.Identifier(kv.first, "track", t.location);
    if (!track_id) continue;
    const bool keyed_form = IsMapNode(kv.second);
    std::optional<std::string> step;
    const YAML::Node step_node = keyed_form ? kv.second["to"] : kv.second;
    if (keyed_form) {
      ctx.reader.CheckKeys(kv.second, {"key", "to"}, "a keyed track move");
      if (!kv.second["key"].IsDefined()) {
        diag.Error(YamlReader::Loc(kv.second), "missing", "a keyed track move needs the key it moves", "no key",
                   "{key: <expression giving the key>, to: <step>}", "e.g. key: event.financeur");
        continue;
      }
    }
    step = ctx.reader.Identifier(step_node, "step", YamlReader::Loc(kv.second));
    if (!step) continue;
    bool ok = true;
    for (const auto& pid : phases) {
      const Phase* p = ctx.def.FindPhase(pid);
      const Track* found = nullptr;
      for (const auto& candidate : p->tracks)
        if (candidate.id == *track_id) found = &candidate;
      if (!found) {
        diag.Error(at, "unknown-track",
                   "phase '" + pid + "' where this transition applies has no track '" + *track_id + "'",
                   "'" + *track_id + "'", "a track of phase '" + pid + "'",
                   "restrict the event's phases to phases that have this track");
        ok = false;
        break;
      }
      if (found->keyed() != keyed_form) {
        if (found->keyed())
          diag.Error(at, "keyed-track-move",
                     "track '" + *track_id + "' has one step per element of state." + found->keyed_by +
                         ": say which key moves",
                     "'" + *track_id + ": " + *step + "'", "a keyed move",
                     "write " + *track_id + ": {key: event.<field>, to: " + *step + "}");
        else
          diag.Error(at, "keyed-track-move", "track '" + *track_id + "' is not keyed: it has one step",
                     "a keyed move of '" + *track_id + "'", "'" + *track_id + ": <step>'",
                     "write " + *track_id + ": " + *step + ", or declare keyed_by on the track");
        ok = false;
        break;
      }
      if (std::find(found->steps.begin(), found->steps.end(), *step) == found->steps.end()) {
        diag.Error(YamlReader::Loc(step_node), "unknown-step", "unknown step of track '" + *track_id + "'",
                   "'" + *step + "'", "one of " + JoinNames(found->steps), DidYouMean(*step, found->steps));
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    if (!keyed_form) {
      t.track_moves[*track_id] = *step;
      continue;
    }
    const YAML::Node key_node = kv.second["key"];
    std::optional<Guard> key = parse_key(key_node);
    if (!key) continue;
    std::vector<std::string> types = ExpressionValueTypes(key->root(), scope);
    if (!types.empty() && std::find(types.begin(), types.end(), "string") == types.end()) {
      diag.Error(YamlReader::Loc(key_node), "guard-type", "a track key must be a text",
                 "'" + key->source() + "' of type " + JoinNames(types), "a text, e.g. event.financeur",
                 "keys are the texts of the track's list");
      continue;
    }
    t.keyed_track_moves.push_back(KeyedTrackMove{*track_id, std::move(*key), *step, YamlReader::Loc(key_node)});
  }
}

}  // namespace relais::workflow
