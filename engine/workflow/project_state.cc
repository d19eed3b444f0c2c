#include "engine/workflow/project_state.h"

#include "engine/util/time_format.h"
#include "engine/workflow/keyed_tracks.h"

namespace relais::workflow {

Json ProjectState::ProjectView() const {
  Json tracks_json = Json::object();
  for (const auto& [id, step] : tracks) tracks_json[id] = step;
  for (const auto& [id, steps] : keyed_tracks) tracks_json[id] = KeyedTrackView(steps);
  return {{"phase", phase}, {"suspended", suspended}, {"tracks", tracks_json}};
}

Json ProjectState::ToJson() const {
  Json out = ProjectView();
  out["created"] = created;
  out["fields"] = fields;
  out["armed_timers"] = armed_timers;
  // Written only when present, so older snapshots keep their exact shape.
  if (!timer_due.empty()) {
    Json due = Json::object();
    for (const auto& [id, at] : timer_due) due[id] = FormatIso8601(at);
    out["timer_due"] = std::move(due);
  }
  if (!paused_timers.empty()) out["paused_timers"] = paused_timers;
  out["event_count"] = event_count;
  if (!spawned.empty()) {
    Json links = Json::array();
    for (const SpawnedLink& l : spawned)
      links.push_back({{"project", l.project_id}, {"workflow", l.workflow}, {"link", l.link}});
    out["spawned"] = std::move(links);
  }
  return out;
}

StatusOr<ProjectState> ProjectState::FromJson(const Json& json) {
  auto bad = [](const std::string& what) { return Corruption("project state snapshot: " + what); };
  if (!json.is_object()) return bad("not an object");
  ProjectState s;
  auto get = [&](const char* key, auto check) -> const Json* {
    auto it = json.find(key);
    return it != json.end() && check(*it) ? &*it : nullptr;
  };
  auto is_bool = [](const Json& v) { return v.is_boolean(); };
  auto is_string = [](const Json& v) { return v.is_string(); };
  auto is_object = [](const Json& v) { return v.is_object(); };
  auto is_count = [](const Json& v) {
    return v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0);
  };
  const Json* created = get("created", is_bool);
  const Json* phase = get("phase", is_string);
  const Json* suspended = get("suspended", is_bool);
  const Json* tracks = get("tracks", is_object);
  const Json* fields = get("fields", is_object);
  const Json* timers = get("armed_timers", is_object);
  const Json* count = get("event_count", is_count);
  if (!created || !phase || !suspended || !tracks || !fields || !timers || !count)
    return bad("missing or mistyped member");
  s.created = created->get<bool>();
  s.phase = phase->get<std::string>();
  s.suspended = suspended->get<bool>();
  for (const auto& [k, v] : tracks->items()) {
    if (v.is_array()) {  // a keyed track: [{"key", "step"}...]
      std::map<std::string, std::string>& steps = s.keyed_tracks[k];
      for (const Json& entry : v) {
        if (!entry.is_object() || !entry.contains("key") || !entry["key"].is_string() || !entry.contains("step") ||
            !entry["step"].is_string())
          return bad("keyed track '" + k + "' has an entry without a text key and step");
        steps[entry["key"].get<std::string>()] = entry["step"].get<std::string>();
      }
      continue;
    }
    if (!v.is_string()) return bad("track '" + k + "' is not a text");
    s.tracks[k] = v.get<std::string>();
  }
  s.fields = *fields;
  for (const auto& [k, v] : timers->items()) {
    if (!v.is_string()) return bad("timer '" + k + "' is not a text");
    s.armed_timers[k] = v.get<std::string>();
  }
  s.event_count = count->get<uint64_t>();
  if (auto it = json.find("spawned"); it != json.end()) {
    if (!it->is_array()) return bad("spawned is not a list");
    for (const Json& l : *it) {
      if (!l.is_object() || !l.contains("project") || !l["project"].is_string()) return bad("malformed spawned link");
      s.spawned.push_back({l["project"].get<std::string>(), l.value("workflow", ""), l.value("link", "")});
    }
  }
  if (const Json* due = get("timer_due", is_object))
    for (const auto& [k, v] : due->items()) {
      auto at = v.is_string() ? ParseIso8601(v.get<std::string>()) : StatusOr<TimePoint>(Corruption(""));
      if (!at.ok()) return bad("timer '" + k + "' has no due time");
      s.timer_due[k] = *at;
    }
  if (const Json* paused = get("paused_timers", is_object))
    for (const auto& [k, v] : paused->items()) {
      if (!v.is_number_integer()) return bad("paused timer '" + k + "' has no time left");
      s.paused_timers[k] = v.get<int64_t>();
    }
  return s;
}

Json RecordedEvent::ToJson() const { return {{"type", type}, {"data", data}, {"effects", effects.ToJson()}}; }

StatusOr<RecordedEvent> RecordedEvent::FromJson(const Json& json) {
  if (!json.is_object() || !json.contains("type") || !json["type"].is_string())
    return Corruption("recorded event without a type");
  RecordedEvent e;
  e.type = json["type"].get<std::string>();
  if (auto it = json.find("data"); it != json.end()) e.data = *it;
  if (auto it = json.find("effects"); it != json.end()) {
    RELAIS_ASSIGN_OR_RETURN(e.effects, Effects::FromJson(*it));
  }
  return e;
}

namespace {

// Removals first, then values: an event may clear a field and set another.
Status ApplyFields(const Effects& effects, ProjectState& s) {
  for (const std::string& k : effects.unset) s.fields.erase(k);
  for (const auto& [k, v] : effects.set.items()) s.fields[k] = v;
  for (const auto& [k, items] : effects.append.items()) {
    Json& target = s.fields[k];
    if (target.is_null()) target = Json::array();
    if (!target.is_array()) return Corruption("effects.append on non-list field '" + k + "'");
    for (const auto& item : items) target.push_back(item);
  }
  return Status::Ok();
}

// As recorded: cancelled, then fired, then armed, paused, resumed, due.
void ApplyTimers(const TimerEffects& timers, ProjectState& s) {
  auto disarm = [&](const std::string& id) {
    s.armed_timers.erase(id);
    s.timer_due.erase(id);
    s.paused_timers.erase(id);
  };
  for (const std::string& id : timers.cancelled) disarm(id);
  for (const std::string& id : timers.fired) disarm(id);
  for (const auto& [id, phase] : timers.armed) {
    s.armed_timers[id] = phase;
    s.timer_due.erase(id);  // restarts: its new due time, if known, is in timers.due
    s.paused_timers.erase(id);
  }
  for (const auto& [id, left] : timers.paused) {
    s.paused_timers[id] = left;
    s.timer_due.erase(id);
  }
  for (const std::string& id : timers.resumed) s.paused_timers.erase(id);
  for (const auto& [id, at] : timers.due)
    if (s.armed_timers.count(id)) s.timer_due[id] = at;
}

}  // namespace

StatusOr<ProjectState> ApplyEvent(const WorkflowDefinition& def, const ProjectState& state,
                                  const RecordedEvent& event) {
  ProjectState s = state;
  RELAIS_RETURN_IF_ERROR(ApplyEventInPlace(def, s, event));
  return s;
}

Status ApplyEventInPlace(const WorkflowDefinition& def, ProjectState& s, const RecordedEvent& event) {
  const bool creating = event.type == "project_created";
  if (creating && s.created) return FailedPrecondition("project created twice");
  if (!creating && !s.created) return FailedPrecondition("event '" + event.type + "' before project creation");
  const Effects& effects = event.effects;
  s.created = true;
  if (effects.phase) {
    if (def.FindPhase(effects.phase->to) == nullptr)
      return FailedPrecondition("event moves the project to phase '" + effects.phase->to +
                                "', which the workflow does not define");
    s.phase = effects.phase->to;
    s.tracks.clear();  // a new phase starts its own tracks (listed in effects.tracks)
  } else if (creating) {
    return Corruption("project_created without a phase");
  }
  if (effects.tracks)
    for (const auto& [track, step] : *effects.tracks) s.tracks[track] = step;
  ApplyKeyedTracks(effects.keyed_tracks, s.keyed_tracks);
  RELAIS_RETURN_IF_ERROR(ApplyFields(effects, s));
  if (effects.suspended) s.suspended = *effects.suspended;
  ApplyTimers(effects.timers, s);
  for (const SpawnEffect& spawn : effects.spawned) s.spawned.push_back({spawn.project_id, spawn.workflow, spawn.link});
  ++s.event_count;
  return Status::Ok();
}

StatusOr<ProjectState> Replay(const WorkflowDefinition& def, const std::vector<RecordedEvent>& events) {
  ProjectState s;
  for (size_t i = 0; i < events.size(); ++i)
    RELAIS_RETURN_IF_ERROR(ApplyEventInPlace(def, s, events[i]).WithContext("event #" + std::to_string(i + 1)));
  return s;
}

}  // namespace relais::workflow
