#include "engine/runtime/project.h"

#include <algorithm>

#include "engine/util/ids.h"
#include "engine/util/time_format.h"
#include "engine/workflow/keyed_tracks.h"
#include "engine/workflow/migration.h"

namespace relais::runtime {
bool ProjectInfo::HasMember(std::string_view subject) const {
  return std::any_of(members.begin(), members.end(), [&](const ProjectMember& m) { return m.subject == subject; });
}

Json ProjectInfo::MembersToJson(const std::vector<ProjectMember>& members) {
  Json list = Json::array();
  for (const ProjectMember& m : members) list.push_back({{"subject", m.subject}, {"role", m.role}});
  return list;
}

StatusOr<std::vector<ProjectMember>> ProjectInfo::MembersFromJson(const Json& json) {
  std::vector<ProjectMember> members;
  try {
    for (const Json& m : json) members.push_back({m.at("subject").get<std::string>(), m.value("role", "")});
  } catch (const Json::exception& e) {
    return Corruption(std::string("malformed members: ") + e.what());
  }
  return members;
}

Json ProjectInfo::ToJson() const {
  Json j = {{"id", id},
            {"title", title},
            {"programme", programme},
            {"axis", axis},
            {"partners", partners},
            {"planned_years", planned_years},
            {"workflow", workflow},
            {"workflow_hash", workflow_hash}};
  // Written only when present, so registrations without members keep the
  // exact shape they had before members existed.
  if (!members.empty()) j["members"] = MembersToJson(members);
  if (!parent.empty()) {
    j["parent"] = parent.ToJson();
    j["inherit_visibility"] = inherit_visibility;
  }
  if (!origin.empty()) j["origin"] = origin.ToJson();
  return j;
}

Json ProjectLink::ToJson() const {
  Json j = {{"project", project}, {"link", link}};
  if (!event.empty()) j["event"] = event;
  return j;
}

StatusOr<ProjectInfo> ProjectInfo::FromJson(const Json& j) {
  ProjectInfo p;
  try {
    p.id = j.at("id").get<std::string>();
    p.title = j.value("title", "");
    p.programme = j.value("programme", "");
    p.axis = j.value("axis", "");
    p.partners = j.value("partners", std::vector<std::string>{});
    p.planned_years = j.value("planned_years", std::map<std::string, int>{});
    p.workflow = j.at("workflow").get<std::string>();
    p.workflow_hash = j.at("workflow_hash").get<std::string>();
    if (auto it = j.find("members"); it != j.end() && it->is_array()) {
      for (const Json& m : *it) p.members.push_back({m.at("subject").get<std::string>(), m.value("role", "")});
    }
    auto link = [&](const char* key, ProjectLink* out) {
      if (auto it = j.find(key); it != j.end() && it->is_object())
        *out = {it->at("project").get<std::string>(), it->value("link", ""), it->value("event", "")};
    };
    link("parent", &p.parent);
    link("origin", &p.origin);
    p.inherit_visibility = j.value("inherit_visibility", false);
  } catch (const Json::exception& e) {
    return Corruption(std::string("malformed project registration: ") + e.what());
  }
  return p;
}

namespace {

int YearOf(TimePoint now) {
  return int(std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(now)).year());
}

// The planned year of info's project in phase_id, when that phase is late at now.
std::optional<int> LatePlannedYear(const ProjectInfo& info, const std::string& phase_id,
                                   const DefinitionLookup& definitions, TimePoint now) {
  const workflow::WorkflowDefinition* def = definitions(info.workflow_hash);
  const workflow::Phase* phase = def ? def->FindPhase(phase_id) : nullptr;
  if (!phase || phase->terminal) return std::nullopt;
  auto it = info.planned_years.find(phase->planned_year_key.value_or(phase_id));
  if (it == info.planned_years.end()) return std::nullopt;
  if (YearOf(now) <= it->second) return std::nullopt;
  return it->second;
}

}  // namespace

bool Project::IsLate(const DefinitionLookup& definitions, TimePoint now) const {
  return LatePlannedYear(info, state.phase, definitions, now).has_value();
}

std::optional<int> Project::LateByYears(const DefinitionLookup& definitions, TimePoint now) const {
  std::optional<int> planned = LatePlannedYear(info, state.phase, definitions, now);
  if (!planned) return std::nullopt;
  return YearOf(now) - *planned;
}

std::optional<NewEvent> LateEvent(const ProjectInfo& info, const std::string& phase,
                                  const DefinitionLookup& definitions, TimePoint now, std::string event_id) {
  std::optional<int> planned = LatePlannedYear(info, phase, definitions, now);
  if (!planned) return std::nullopt;
  NewEvent late;
  late.event_id = std::move(event_id);
  late.type = std::string(kProjectLate);
  late.data = {{"phase", phase}, {"planned_year", *planned}};
  late.metadata.actor = "system:lateness";
  return late;
}

Json Project::ToJson() const {
  return {{"info", info.ToJson()},
          {"state", state.ToJson()},
          {"version", version},
          {"created_at", FormatIso8601(created_at)},
          {"updated_at", FormatIso8601(updated_at)},
          {"phase_since", FormatIso8601(phase_since)},
          {"late_recorded", late_recorded}};
}

StatusOr<Project> Project::FromJson(const Json& j) {
  Project p;
  if (!j.is_object() || !j.contains("info") || !j.contains("state")) return Corruption("malformed project");
  RELAIS_ASSIGN_OR_RETURN(p.info, ProjectInfo::FromJson(j["info"]));
  RELAIS_ASSIGN_OR_RETURN(p.state, workflow::ProjectState::FromJson(j["state"]));
  p.version = j.value("version", uint64_t{0});
  p.late_recorded = j.value("late_recorded", false);  // absent in snapshots taken before it was kept
  for (auto [field, out] : {std::pair{"created_at", &p.created_at}, std::pair{"updated_at", &p.updated_at},
                            std::pair{"phase_since", &p.phase_since}}) {
    auto t = ParseIso8601(j.value(field, ""));
    if (!t.ok()) return Corruption(std::string("malformed project ") + field);
    *out = *t;
  }
  return p;
}

std::string ProjectStream(std::string_view project_id) {
  return std::string(kProjectStreamPrefix) + std::string(project_id);
}

Status ValidateProjectId(std::string_view id) { return ValidateId("project id", id); }

NewEvent ToStoredEvent(const workflow::RecordedEvent& event, std::string event_id, const Actor& actor) {
  NewEvent e;
  e.event_id = std::move(event_id);
  e.type = event.type;
  // Serialized directly: no copy of the data, no tree of the effects.
  std::string& text = e.data_json;
  text.reserve(256);
  text += "{\"data\":";
  AppendJson(event.data, text);
  text += ",\"effects\":";
  event.effects.AppendJsonText(text);
  text += '}';
  e.metadata.actor = actor.subject;
  return e;
}

StatusOr<workflow::RecordedEvent> FromStoredEvent(const RecordedEvent& stored) {
  Json data = stored.Data();
  if (!data.is_object()) return Corruption("event " + stored.event_id + " has no data object");
  workflow::RecordedEvent e;
  e.type = stored.type;
  if (auto it = data.find("data"); it != data.end()) e.data = std::move(*it);
  if (auto it = data.find("effects"); it != data.end()) {
    auto typed = workflow::Effects::FromJson(*it);
    if (!typed.ok()) return Corruption("event " + stored.event_id + ": " + typed.status().message());
    e.effects = std::move(typed).value();
  }
  return e;
}

void ApplyMembership(const workflow::MembershipEffects& m, ProjectInfo& info) {
  auto& partners = info.partners;
  for (const std::string& p : m.partners_joined)
    if (std::find(partners.begin(), partners.end(), p) == partners.end()) partners.push_back(p);
  for (const std::string& p : m.partners_left)
    partners.erase(std::remove(partners.begin(), partners.end(), p), partners.end());
  auto& members = info.members;
  for (const workflow::PersonJoining& person : m.people_joined) {
    auto it = std::find_if(members.begin(), members.end(),
                           [&](const ProjectMember& x) { return x.subject == person.subject; });
    if (it != members.end())
      it->role = person.role;
    else
      members.push_back({person.subject, person.role});
  }
  for (const std::string& subject : m.people_left)
    members.erase(
        std::remove_if(members.begin(), members.end(), [&](const ProjectMember& x) { return x.subject == subject; }),
        members.end());
}

Status ApplyStored(const DefinitionLookup& definitions, Project& project, const RecordedEvent& stored) {
  auto where = [&] { return "project " + project.info.id + " event " + std::to_string(stored.version); };
  if (stored.version != project.version + 1)
    return Corruption(where() + ": expected version " + std::to_string(project.version + 1));
  if (stored.type == kProjectRegistered) {
    if (project.version != 0) return FailedPrecondition(where() + ": registered twice");
    RELAIS_ASSIGN_OR_RETURN(project.info, ProjectInfo::FromJson(stored.Data()));
    project.created_at = stored.metadata.recorded_at;
    project.phase_since = stored.metadata.recorded_at;
  } else if (stored.type == kProjectMembersChanged) {
    if (project.version == 0) return FailedPrecondition(where() + ": members changed before registration");
    Json d = stored.Data();
    if (!d.is_object() || !d.contains("members") || !d["members"].is_array())
      return Corruption(where() + ": members change without a members list");
    RELAIS_ASSIGN_OR_RETURN(project.info.members, ProjectInfo::MembersFromJson(d["members"]));
  } else if (stored.type == kProjectPartnersChanged) {
    if (project.version == 0) return FailedPrecondition(where() + ": partners changed before registration");
    Json d = stored.Data();
    if (!d.is_object() || !d.contains("partners") || !d["partners"].is_array())
      return Corruption(where() + ": partners change without a partners list");
    std::vector<std::string> partners;
    for (const Json& p : d["partners"]) {
      if (!p.is_string()) return Corruption(where() + ": a partner id is not a text");
      partners.push_back(p.get<std::string>());
    }
    project.info.partners = std::move(partners);
  } else if (stored.type == kProjectDetailsChanged) {
    if (project.version == 0) return FailedPrecondition(where() + ": details changed before registration");
    Json d = stored.Data();
    if (!d.is_object()) return Corruption(where() + ": details change without an object");
    try {
      if (d.contains("title")) project.info.title = d["title"].get<std::string>();
      if (d.contains("axis")) project.info.axis = d["axis"].get<std::string>();
      if (d.contains("planned_years"))
        project.info.planned_years = d["planned_years"].get<std::map<std::string, int>>();
    } catch (const Json::exception& e) {
      return Corruption(where() + ": malformed details change: " + e.what());
    }
  } else if (stored.type == kProjectLate) {
    if (project.version == 0) return FailedPrecondition(where() + ": late before registration");
    project.late_recorded = true;
  } else if (stored.type == kWorkflowMigrated) {
    Json d = stored.Data();
    const auto* target = definitions(d.value("to_hash", ""));
    if (!target) return FailedPrecondition(where() + ": migrated to an unknown workflow version");
    std::string old_phase = project.state.phase;
    workflow::PhaseMapping mapping = d.value("phase_mapping", workflow::PhaseMapping{});
    project.info.workflow_hash = target->content_hash;
    project.state.phase = workflow::MapPhase(mapping, old_phase);
    if (auto k = d.find("keyed_tracks"); k != d.end()) {  // planned by workflow::MigratedKeyedTracks
      RELAIS_ASSIGN_OR_RETURN(workflow::Effects changes, workflow::Effects::FromJson({{"keyed_tracks", *k}}));
      workflow::ApplyKeyedTracks(changes.keyed_tracks, project.state.keyed_tracks);
    }
    if (project.state.phase != old_phase) {
      project.phase_since = stored.metadata.recorded_at;
      project.late_recorded = false;
      project.state.tracks.clear();  // the new phase starts its own tracks
      if (const auto* phase = target->FindPhase(project.state.phase))
        for (const auto& track : phase->tracks)
          if (!track.steps.empty() && !track.keyed()) project.state.tracks[track.id] = track.steps.front();
    }
  } else {
    if (project.version == 0) return FailedPrecondition(where() + ": event before registration");
    const auto* def = definitions(project.info.workflow_hash);
    if (!def) return FailedPrecondition(where() + ": unknown workflow version " + project.info.workflow_hash);
    RELAIS_ASSIGN_OR_RETURN(auto event, FromStoredEvent(stored));
    std::string old_phase = project.state.phase;
    RELAIS_RETURN_IF_ERROR(workflow::ApplyEventInPlace(*def, project.state, event));
    ApplyMembership(event.effects.membership, project.info);
    if (project.state.phase != old_phase) {
      project.phase_since = stored.metadata.recorded_at;
      project.late_recorded = false;
    }
  }
  project.version = stored.version;
  project.updated_at = stored.metadata.recorded_at;
  return Status::Ok();
}

}  // namespace relais::runtime
