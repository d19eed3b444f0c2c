#include "engine/workflow/definition.h"

#include <openssl/evp.h>

#include <cstdio>

#include "engine/workflow/keyed_tracks.h"

namespace relais::workflow {
namespace {

Json LabelsJson(const Labels& l) { return {{"fr", l.fr}, {"en", l.en}}; }

Json UpdateJson(const StateUpdate& u) {
  Json out = Json::object();
  if (!u.set.empty()) {
    Json set = Json::object();
    for (const auto& [field, value] : u.set) set[field] = value.source();
    out["set"] = set;
  }
  if (!u.append.empty()) {
    Json append = Json::object();
    for (const auto& [field, value] : u.append) append[field] = value.source();
    out["append"] = append;
  }
  if (!u.remove.empty()) {
    Json remove = Json::object();
    for (const auto& [field, value] : u.remove) remove[field] = value.source();
    out["remove"] = remove;
  }
  if (!u.unset.empty()) out["unset"] = u.unset;
  return out;
}

Json ClauseJson(const GuardClause& c) {
  return {{"guard", c.guard.source()}, {"message", c.message.ToCanonicalJson()}};
}

std::string TimerKindName(TimerKind k) {
  switch (k) {
    case TimerKind::kAfter: return "after";
    case TimerKind::kAt: return "at";
    case TimerKind::kRepeat: return "repeat";
  }
  return "?";
}

}  // namespace

Json Message::ToCanonicalJson() const {
  // A one-text message keeps the form files had before {fr, en}, and so their content hash.
  if (!per_language) return fr;
  return {{"fr", fr}, {"en", en}};
}

Json Message::ToJson() const { return {{"fr", fr}, {"en", en}}; }

const std::vector<std::string>& BuiltinRoles() {
  static const std::vector<std::string> kRoles = {
      "coordinator", "elu", "referent", "partner", "observer", "admin", std::string(kSystemRole)};
  return kRoles;
}

const Phase* WorkflowDefinition::FindPhase(std::string_view id) const {
  for (const auto& p : phases)
    if (p.id == id) return &p;
  return nullptr;
}

const EventType* WorkflowDefinition::FindEvent(std::string_view type) const {
  for (const auto& e : events)
    if (e.type == type) return &e;
  return nullptr;
}

const Timer* WorkflowDefinition::FindTimer(std::string_view id) const {
  for (const auto& t : timers)
    if (t.id == id) return &t;
  return nullptr;
}

const ChildKind* WorkflowDefinition::FindChildKind(std::string_view id) const {
  for (const auto& c : children)
    if (c.id == id) return &c;
  return nullptr;
}

std::vector<std::string> WorkflowDefinition::PhaseIds() const {
  std::vector<std::string> out;
  for (const auto& p : phases) out.push_back(p.id);
  return out;
}

std::vector<std::string> WorkflowDefinition::EventTypes() const {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.type);
  return out;
}

Json CanonicalJson(const WorkflowDefinition& def) {
  Json out = Json::object();
  out["name"] = def.name;
  out["version"] = def.version;
  out["labels"] = LabelsJson(def.labels);
  out["roles"] = def.roles;
  out["state"] = def.state_schema;
  out["initial_phases"] = def.initial_phases;
  // Only when declared: files written before created_by keep their content hash.
  if (def.creator_roles_declared) out["created_by"] = def.creator_roles;
  Json phases = Json::array();
  for (const auto& p : def.phases) {
    Json j = {{"id", p.id}, {"labels", LabelsJson(p.labels)}, {"terminal", p.terminal}};
    if (p.planned_year_key) j["planned_year_key"] = *p.planned_year_key;
    Json tracks = Json::array();
    for (const auto& t : p.tracks) {
      Json tj = {{"id", t.id}, {"labels", LabelsJson(t.labels)}, {"steps", t.steps}};
      // Only when declared: fixed tracks keep their content hash.
      if (t.keyed()) tj.update(KeyedTrackJson(t));
      if (!t.step_labels.empty()) {
        Json labels = Json::object();
        for (const auto& [step, l] : t.step_labels) labels[step] = LabelsJson(l);
        tj["step_labels"] = std::move(labels);
      }
      tracks.push_back(std::move(tj));
    }
    j["tracks"] = tracks;
    phases.push_back(j);
  }
  out["phases"] = phases;
  Json events = Json::array();
  for (const auto& e : def.events) {
    Json j = {{"type", e.type},
              {"labels", LabelsJson(e.labels)},
              {"schema", e.schema},
              {"roles", e.roles},
              {"phases", e.phases},
              {"any_open_phase", e.any_open_phase},
              {"notify", e.notify},
              {"update", UpdateJson(e.update)},
              {"allowed_while_suspended", e.allowed_while_suspended},
              {"suspension", e.suspension == Suspension::kNone      ? "none"
                             : e.suspension == Suspension::kSuspend ? "suspend"
                                                                    : "resume"}};
    Json pre = Json::array();
    for (const auto& c : e.preconditions) pre.push_back(ClauseJson(c));
    j["requires"] = pre;
    Json transitions = Json::array();
    for (const auto& t : e.transitions) {
      Json tj = {{"update", UpdateJson(t.update)}, {"tracks", t.track_moves}};
      if (!t.keyed_track_moves.empty()) tj["keyed_tracks"] = KeyedMovesJson(t.keyed_track_moves);
      if (t.when) tj["when"] = ClauseJson(*t.when);
      if (t.to) tj["to"] = *t.to;
      // Only when declared: files without spawn: keep their content hash.
      if (!t.spawns.empty()) {
        Json spawns = Json::array();
        for (const auto& sp : t.spawns) {
          Json fields = Json::object();
          for (const auto& [field, value] : sp.fields) fields[field] = value.source();
          spawns.push_back({{"workflow", sp.workflow},
                            {"link", sp.link},
                            {"title", sp.title ? Json(sp.title->source()) : Json()},
                            {"programme", sp.programme ? Json(sp.programme->source()) : Json()},
                            {"phase", sp.phase},
                            {"fields", fields}});
        }
        tj["spawn"] = spawns;
      }
      transitions.push_back(tj);
    }
    j["transitions"] = transitions;
    // Only when declared: files without partners:/people: keep their content hash.
    if (!e.membership.empty()) {
      const MembershipUpdate& m = e.membership;
      auto source = [](const std::optional<Guard>& g) { return g ? Json(g->source()) : Json(); };
      j["membership"] = {{"partners_join", source(m.partners_join)},
                         {"partners_leave", source(m.partners_leave)},
                         {"people_join", source(m.people_join)},
                         {"people_join_role", source(m.people_join_role)},
                         {"people_leave", source(m.people_leave)}};
    }
    events.push_back(j);
  }
  out["events"] = events;
  Json timers = Json::array();
  for (const auto& t : def.timers) {
    Json j = {{"id", t.id},
              {"labels", LabelsJson(t.labels)},
              {"kind", TimerKindName(t.kind)},
              {"fires", t.fires},
              {"cancel_on_phase_exit", t.cancel_on_phase_exit}};
    if (t.kind == TimerKind::kAfter) j["after"] = t.after.ToString();
    if (t.kind == TimerKind::kAt) j["at"] = t.at_field.empty() ? t.at : t.at_field;
    if (t.kind == TimerKind::kRepeat && t.times_per_year > 0) j["times_per_year"] = t.times_per_year;
    if (t.kind == TimerKind::kRepeat && t.times_per_year == 0) j["every"] = t.after.ToString();
    // Written only when declared, so files without it keep their hash.
    if (t.on_suspend == TimerSuspendPolicy::kPause) j["on_suspend"] = "pause";
    if (t.on_suspend == TimerSuspendPolicy::kCancel) j["on_suspend"] = "cancel";
    if (t.on_enter_phase) j["on_enter_phase"] = *t.on_enter_phase;
    if (t.on_event) j["on_event"] = *t.on_event;
    timers.push_back(j);
  }
  out["timers"] = timers;
  // Only when declared: files without children: keep their content hash.
  if (!def.children.empty()) {
    Json children = Json::array();
    for (const auto& c : def.children)
      children.push_back({{"id", c.id},
                          {"labels", LabelsJson(c.labels)},
                          {"workflow", c.workflow},
                          {"visibility", c.inherit_visibility ? "parent" : "own"}});
    out["children"] = children;
  }
  return out;
}

std::string ContentHash(const WorkflowDefinition& def) {
  std::string text = DumpJson(CanonicalJson(def));
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  std::string hex;
  char buf[3];
  for (unsigned int i = 0; i < length; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", digest[i]);
    hex += buf;
  }
  return hex;
}

}  // namespace relais::workflow
