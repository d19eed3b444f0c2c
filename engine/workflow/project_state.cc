#include "engine/workflow/project_state.h"

namespace relais::workflow {

Json ProjectState::ProjectView() const {
  Json tracks_json = Json::object();
  for (const auto& [id, step] : tracks) tracks_json[id] = step;
  return {{"phase", phase}, {"suspended", suspended}, {"tracks", tracks_json}};
}

Json ProjectState::ToJson() const {
  Json out = ProjectView();
  out["created"] = created;
  out["fields"] = fields;
  out["armed_timers"] = armed_timers;
  out["event_count"] = event_count;
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
    if (!v.is_string()) return bad("track '" + k + "' is not a text");
    s.tracks[k] = v.get<std::string>();
  }
  s.fields = *fields;
  for (const auto& [k, v] : timers->items()) {
    if (!v.is_string()) return bad("timer '" + k + "' is not a text");
    s.armed_timers[k] = v.get<std::string>();
  }
  s.event_count = count->get<uint64_t>();
  return s;
}

Json RecordedEvent::ToJson() const { return {{"type", type}, {"data", data}, {"effects", effects}}; }

StatusOr<RecordedEvent> RecordedEvent::FromJson(const Json& json) {
  if (!json.is_object() || !json.contains("type") || !json["type"].is_string())
    return Corruption("recorded event without a type");
  RecordedEvent e;
  e.type = json["type"].get<std::string>();
  if (auto it = json.find("data"); it != json.end()) e.data = *it;
  if (auto it = json.find("effects"); it != json.end()) e.effects = *it;
  if (!e.effects.is_object()) return Corruption("recorded event effects must be an object");
  return e;
}

namespace {

Status ApplyPhase(const WorkflowDefinition& def, const Json& phase, ProjectState& s) {
  if (!phase.is_object() || !phase.contains("to") || !phase["to"].is_string())
    return Corruption("effects.phase needs a 'to' phase");
  std::string to = phase["to"].get<std::string>();
  if (def.FindPhase(to) == nullptr)
    return FailedPrecondition("event moves the project to phase '" + to + "', which the workflow does not define");
  s.phase = to;
  s.tracks.clear();  // a new phase starts its own tracks (listed in effects.tracks)
  return Status::Ok();
}

// Removals first, then values: an event may clear a field and set another.
Status ApplyFields(const Json& effects, ProjectState& s) {
  if (auto it = effects.find("unset"); it != effects.end()) {
    if (!it->is_array()) return Corruption("effects.unset must be a list");
    for (const auto& k : *it)
      if (k.is_string()) s.fields.erase(k.get<std::string>());
  }
  if (auto it = effects.find("set"); it != effects.end()) {
    if (!it->is_object()) return Corruption("effects.set must be an object");
    for (const auto& [k, v] : it->items()) s.fields[k] = v;
  }
  if (auto it = effects.find("append"); it != effects.end()) {
    if (!it->is_object()) return Corruption("effects.append must be an object");
    for (const auto& [k, items] : it->items()) {
      if (!items.is_array()) return Corruption("effects.append['" + k + "'] must be the list of added items");
      Json& target = s.fields[k];
      if (target.is_null()) target = Json::array();
      if (!target.is_array()) return Corruption("effects.append on non-list field '" + k + "'");
      for (const auto& item : items) target.push_back(item);
    }
  }
  return Status::Ok();
}

Status ApplyTimers(const Json& timers, ProjectState& s) {
  if (!timers.is_object()) return Corruption("effects.timers must be an object");
  if (auto it = timers.find("cancelled"); it != timers.end() && it->is_array())
    for (const auto& id : *it)
      if (id.is_string()) s.armed_timers.erase(id.get<std::string>());
  if (auto it = timers.find("fired"); it != timers.end() && it->is_array())
    for (const auto& id : *it)
      if (id.is_string()) s.armed_timers.erase(id.get<std::string>());
  if (auto it = timers.find("armed"); it != timers.end() && it->is_object())
    for (const auto& [id, phase] : it->items())
      if (phase.is_string()) s.armed_timers[id] = phase.get<std::string>();
  return Status::Ok();
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
  if (!event.effects.is_object()) return Corruption("effects must be an object");
  s.created = true;
  if (auto it = event.effects.find("phase"); it != event.effects.end()) {
    RELAIS_RETURN_IF_ERROR(ApplyPhase(def, *it, s));
  } else if (creating) {
    return Corruption("project_created without a phase");
  }
  if (auto it = event.effects.find("tracks"); it != event.effects.end()) {
    if (!it->is_object()) return Corruption("effects.tracks must be an object");
    for (const auto& [k, v] : it->items())
      if (v.is_string()) s.tracks[k] = v.get<std::string>();
  }
  RELAIS_RETURN_IF_ERROR(ApplyFields(event.effects, s));
  if (auto it = event.effects.find("suspended"); it != event.effects.end()) {
    if (!it->is_boolean()) return Corruption("effects.suspended must be a boolean");
    s.suspended = it->get<bool>();
  }
  if (auto it = event.effects.find("timers"); it != event.effects.end()) RELAIS_RETURN_IF_ERROR(ApplyTimers(*it, s));
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
