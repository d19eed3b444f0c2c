#include "engine/workflow/keyed_tracks.h"

#include <algorithm>
#include <set>

namespace relais::workflow {

std::vector<std::string> TrackKeys(const Track& track, const Json& list) {
  std::vector<std::string> keys;
  if (!list.is_array()) return keys;
  std::set<std::string_view> seen;
  for (const Json& item : list) {
    const Json* key = &item;
    if (!track.key_field.empty()) {
      if (!item.is_object()) continue;
      auto it = item.find(track.key_field);
      if (it == item.end()) continue;
      key = &*it;
    }
    if (!key->is_string()) continue;
    const std::string& text = key->get_ref<const std::string&>();
    if (seen.insert(text).second) keys.push_back(text);
  }
  return keys;
}

const Track* FindKeyedTrack(const WorkflowDefinition& def, std::string_view id) {
  for (const auto& p : def.phases)
    for (const auto& t : p.tracks)
      if (t.keyed() && t.id == id) return &t;
  return nullptr;
}

Json KeyedTrackView(const std::map<std::string, std::string>& steps) {
  Json out = Json::array();
  for (const auto& [key, step] : steps) out.push_back({{"key", key}, {"step", step}});
  return out;
}

Json KeyedTrackViewSchema(const Track& track) {
  return {{"type", "array"},
          {"items",
           {{"type", "object"},
            {"properties", {{"key", {{"type", "string"}}}, {"step", {{"type", "string"}, {"enum", track.steps}}}}},
            {"required", {"key", "step"}},
            {"additionalProperties", false}}}};
}

Json KeyedTrackJson(const Track& track) {
  Json out = {{"keyed_by", "state." + track.keyed_by}, {"keep", track.keep}};
  if (!track.key_field.empty()) out["key"] = track.key_field;
  return out;
}

Json KeyedMovesJson(const std::vector<KeyedTrackMove>& moves) {
  Json out = Json::array();
  for (const auto& m : moves) out.push_back({{"track", m.track}, {"key", m.key.source()}, {"to", m.step}});
  return out;
}

namespace {

using TrackSteps = std::map<std::string, std::map<std::string, std::string>>;

// The keys a track of the phase stayed in gained and lost.
void FollowList(const Track& t, const std::vector<std::string>& keys, const TrackSteps& before, Effects& effects) {
  static const std::map<std::string, std::string> kNone;
  auto it = before.find(t.id);
  const std::map<std::string, std::string>& current = it == before.end() ? kNone : it->second;
  KeyedTrackChange change;
  for (const std::string& key : keys)
    if (!current.count(key)) change.steps[key] = t.steps.front();
  const std::set<std::string_view> listed(keys.begin(), keys.end());
  for (const auto& [key, step] : current)
    if (!listed.count(key)) change.left.push_back(key);
  if (!change.steps.empty() || !change.left.empty()) effects.keyed_tracks[t.id] = std::move(change);
}

}  // namespace

std::optional<KeyedTrackError> PlanKeyedTracks(const WorkflowDefinition& def, const TrackSteps& before,
                                               const std::optional<std::string>& from, const std::string& to,
                                               const std::function<Json(const std::string&)>& field_after,
                                               const std::vector<KeyedTrackMove>& moves, const GuardContext& ctx,
                                               Effects& effects) {
  const bool phase_changed = !from || *from != to;
  if (phase_changed && from)
    if (const Phase* left = def.FindPhase(*from))
      for (const Track& t : left->tracks)
        if (t.keyed() && !t.keep) effects.keyed_tracks[t.id] = KeyedTrackChange{.ends = true};
  const Phase* target = def.FindPhase(to);
  std::map<std::string, std::vector<std::string>> keys_of;  // the target's keyed tracks, after the event
  for (const Track& t : target->tracks) {
    if (!t.keyed() || t.steps.empty()) continue;
    std::vector<std::string>& keys = keys_of[t.id] = TrackKeys(t, field_after(t.keyed_by));
    if (!phase_changed) {
      FollowList(t, keys, before, effects);
      continue;
    }
    KeyedTrackChange start{.starts = true};
    for (const std::string& key : keys) start.steps[key] = t.steps.front();
    effects.keyed_tracks[t.id] = std::move(start);
  }
  for (const KeyedTrackMove& move : moves) {
    auto keys = keys_of.find(move.track);
    if (keys == keys_of.end()) continue;  // the loader checked the track is in every target phase
    ValueResult v = move.key.EvaluateValue(ctx);
    if (v.error) return KeyedTrackError{&move, std::move(v.error), Json(), keys->second};
    const bool known = v.value.is_string() && std::find(keys->second.begin(), keys->second.end(),
                                                        v.value.get_ref<const std::string&>()) != keys->second.end();
    if (!known) return KeyedTrackError{&move, std::nullopt, std::move(v.value), keys->second};
    effects.keyed_tracks[move.track].steps[v.value.get<std::string>()] = move.step;
  }
  return std::nullopt;
}

void ApplyKeyedTracks(const std::map<std::string, KeyedTrackChange>& changes, TrackSteps& tracks) {
  for (const auto& [id, change] : changes) {
    if (change.ends) {
      tracks.erase(id);
      continue;
    }
    std::map<std::string, std::string>& steps = tracks[id];
    if (change.starts) steps.clear();
    for (const std::string& key : change.left) steps.erase(key);
    for (const auto& [key, step] : change.steps) steps[key] = step;
  }
}

}  // namespace relais::workflow
