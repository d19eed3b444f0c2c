#include "engine/workflow/decision.h"

#include <algorithm>
#include <map>

#include "engine/util/ids.h"
#include "engine/workflow/graph_checks.h"
#include "engine/workflow/json_schema.h"
#include "engine/workflow/keyed_tracks.h"
#include "engine/workflow/refusal_details.h"
#include "engine/workflow/timer_plan.h"
#include "engine/workflow/violation_words.h"

namespace relais::workflow {

const std::vector<std::string>& CreatorRoles() {
  static const std::vector<std::string> kRoles = {"coordinator", "admin"};
  return kRoles;
}

std::string_view RefusalCodeName(RefusalCode code) {
  switch (code) {
    case RefusalCode::kNotCreated: return "not_created";
    case RefusalCode::kAlreadyCreated: return "already_created";
    case RefusalCode::kUnknownEventType: return "unknown_event_type";
    case RefusalCode::kUnknownPhase: return "unknown_phase";
    case RefusalCode::kRoleNotAllowed: return "role_not_allowed";
    case RefusalCode::kNotAllowedInPhase: return "not_allowed_in_phase";
    case RefusalCode::kSuspended: return "suspended";
    case RefusalCode::kNotSuspended: return "not_suspended";
    case RefusalCode::kAlreadySuspended: return "already_suspended";
    case RefusalCode::kInvalidData: return "invalid_data";
    case RefusalCode::kGuardFailed: return "guard_failed";
    case RefusalCode::kNoTransitionMatched: return "no_transition_matched";
    case RefusalCode::kInvalidState: return "invalid_state";
    case RefusalCode::kTimerNotArmed: return "timer_not_armed";
    case RefusalCode::kExpressionError: return "expression_error";
    case RefusalCode::kSpawnRefused: return "spawn_refused";
    case RefusalCode::kTimerDateInvalid: return "timer_date_invalid";
    case RefusalCode::kUnknownTrackKey: return "unknown_track_key";
  }
  return "unknown";
}

Json Refusal::ToJson() const {
  Json out = {{"code", std::string(RefusalCodeName(code))}, {"message", message}, {"details", details}};
  if (!messages.empty()) out["messages"] = messages.ToJson();
  return out;
}

namespace {

Refusal Refuse(RefusalCode code, std::string message, Json details = Json::object()) {
  return Refusal{code, std::move(message), std::move(details)};
}

bool Contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// A keyed track move that could not be resolved (keyed_tracks.h).
Refusal KeyedTrackRefusal(const WorkflowDefinition& def, const std::string& event_type, const KeyedTrackError& e) {
  const KeyedTrackMove& move = *e.move;
  const std::string what = "the key of track '" + move.track + "'";
  if (e.expression) return ExpressionRefusal(def, event_type, what, move.key, *e.expression, move.location);
  return Refuse(RefusalCode::kUnknownTrackKey,
                "'" + event_type + "' moves track '" + move.track + "' for " + DumpJson(e.key) +
                    ", which is not one of its keys (" + move.key.source() + ")",
                {{"event_type", event_type},
                 {"track", move.track},
                 {"key", e.key},
                 {"keys", e.keys},
                 {"expression", move.key.source()},
                 {"at", RuleLocation(def, move.location)}});
}

// The ids an event's partners:/people: expression gives (a text or a list of
// texts, each a valid id; null = none), into *ids. A refusal otherwise.
std::optional<Refusal> MembershipIds(const WorkflowDefinition& def, const EventType& event, const std::string& what,
                                     const Guard& expr, const GuardContext& ctx, bool person,
                                     std::vector<std::string>* ids) {
  ValueResult v = expr.EvaluateValue(ctx);
  if (v.error) return ExpressionRefusal(def, event.type, what, expr, *v.error, event.location);
  std::vector<Json> items;
  if (v.value.is_array())
    items.assign(v.value.begin(), v.value.end());
  else if (!v.value.is_null())
    items.push_back(v.value);
  for (const Json& item : items) {
    Status valid = item.is_string() ? (person ? ValidatePersonId(what, item.get_ref<const std::string&>())
                                              : ValidateId(what, item.get_ref<const std::string&>()))
                                    : InvalidArgument(what + " must be a text");
    if (!valid.ok())
      return Refuse(RefusalCode::kInvalidData,
                    what + " of '" + event.type + "' gave " + DumpJson(item) + ": " + valid.message(),
                    {{"event_type", event.type}, {"expression", expr.source()}, {"value", item}});
    if (std::find(ids->begin(), ids->end(), item.get<std::string>()) == ids->end())
      ids->push_back(item.get<std::string>());
  }
  return std::nullopt;
}

// Evaluates a transition's spawn: into effects: the new projects' titles,
// programmes and fields as the event and the state give them now.
std::optional<Refusal> ResolveSpawns(const WorkflowDefinition& def, const EventType& event, const Transition& chosen,
                                     const GuardContext& ctx, std::vector<SpawnEffect>& out) {
  for (const SpawnSpec& spec : chosen.spawns) {
    SpawnEffect spawn;
    spawn.workflow = spec.workflow;
    spawn.link = spec.link;
    spawn.phase = spec.phase;
    auto text = [&](const Guard& expr, const char* what, std::string* into) -> std::optional<Refusal> {
      ValueResult v = expr.EvaluateValue(ctx);
      if (v.error) return ExpressionRefusal(def, event.type, what, expr, *v.error, spec.location);
      if (!v.value.is_string() || v.value.get_ref<const std::string&>().empty())
        return Refuse(RefusalCode::kInvalidData,
                      std::string(what) + " of '" + event.type + "' must be a non-empty text, not " + DumpJson(v.value),
                      {{"event_type", event.type}, {"expression", expr.source()}, {"value", v.value}});
      *into = v.value.get<std::string>();
      return std::nullopt;
    };
    if (auto r = text(*spec.title, "the spawned project's title", &spawn.title)) return r;
    if (spec.programme) {
      std::string programme;
      if (auto r = text(*spec.programme, "the spawned project's programme", &programme)) return r;
      spawn.programme = programme;
    }
    for (const auto& [field, expr] : spec.fields) {
      ValueResult v = expr.EvaluateValue(ctx);
      if (v.error)
        return ExpressionRefusal(def, event.type, "spawn field '" + field + "'", expr, *v.error, spec.location);
      if (!v.value.is_null()) spawn.fields[field] = std::move(v.value);
    }
    out.push_back(std::move(spawn));
  }
  return std::nullopt;
}

// Evaluates an event's partners:/people: into effects.
std::optional<Refusal> ResolveMembership(const WorkflowDefinition& def, const EventType& event, const GuardContext& ctx,
                                         MembershipEffects& out) {
  const MembershipUpdate& m = event.membership;
  auto ids = [&](const std::optional<Guard>& expr, const char* what, bool person, std::vector<std::string>* into) {
    return expr ? MembershipIds(def, event, what, *expr, ctx, person, into) : std::nullopt;
  };
  if (auto r = ids(m.partners_join, "partners.join", false, &out.partners_joined)) return r;
  if (auto r = ids(m.partners_leave, "partners.leave", false, &out.partners_left)) return r;
  if (auto r = ids(m.people_leave, "people.leave", true, &out.people_left)) return r;
  if (m.people_join) {
    std::vector<std::string> subjects;
    if (auto r = ids(m.people_join, "people.join.subject", true, &subjects)) return r;
    ValueResult role = m.people_join_role->EvaluateValue(ctx);
    if (role.error)
      return ExpressionRefusal(def, event.type, "people.join.role", *m.people_join_role, *role.error, event.location);
    if (!subjects.empty() && (!role.value.is_string() || role.value.get_ref<const std::string&>().empty()))
      return Refuse(RefusalCode::kInvalidData,
                    "people.join.role of '" + event.type + "' gave " + DumpJson(role.value) + ": a role must be a text",
                    {{"event_type", event.type}, {"expression", m.people_join_role->source()}, {"value", role.value}});
    for (std::string& subject : subjects)
      out.people_joined.push_back({std::move(subject), role.value.get<std::string>()});
  }
  return std::nullopt;
}

// A set:/append:/remove: value that could not be computed.
struct UpdateError {
  std::string what;  // "set.total"
  const Guard* expr;
  ExpressionError error;
};

// invalid_data / invalid_state: `message` names the first violation in
// English (as before), the details list every violation with its words, and
// the refusal's messages word the first ones (violation_words.h).
Refusal SchemaRefusal(RefusalCode code, std::string message, Json details, const Json& schema, const Json& value,
                      const std::vector<SchemaViolation>& violations) {
  WordedViolations worded = WordViolations(schema, value, violations);
  details["violations"] = std::move(worded.details);
  Refusal refusal{code, std::move(message), std::move(details)};
  refusal.messages = std::move(worded.summary);
  return refusal;
}

// The field changes of one command, kept as an overlay on the project's
// fields instead of a changed copy of them: a command costs its change, not
// the project's whole state (a project that lives for years accumulates
// indicators, conventions...). Effects() gives what DiffFields of a copy
// would: final values of changed fields, items added at the end of lists,
// removed fields. Recording values (not operations) keeps the fold trivially
// faithful; recording a list that only grew as its new items keeps every
// event small however long the list gets, so a replay stays linear.
class FieldChanges {
 public:
  explicit FieldChanges(const Json& base) : base_(base) {}

  // Applies a StateUpdate evaluated against the pre-event context. On a
  // value that can not be computed, stops and returns it (the caller refuses
  // the command, so what was applied before is dropped with this object).
  std::optional<UpdateError> Apply(const StateUpdate& u, const GuardContext& ctx) {
    for (const auto& [field, expr] : u.set) {
      ValueResult v = expr.EvaluateValue(ctx);
      if (v.error) return UpdateError{"set." + field, &expr, std::move(*v.error)};
      // Setting null removes the field: an optional datum that was not given.
      if (v.value.is_null())
        Unset(field);
      else
        changes_[field] = Change{Kind::kSet, std::move(v.value)};
    }
    for (const auto& [field, expr] : u.append) {
      ValueResult v = expr.EvaluateValue(ctx);
      if (v.error) return UpdateError{"append." + field, &expr, std::move(*v.error)};
      if (!v.value.is_null()) Append(field, std::move(v.value));  // null: nothing to append
    }
    for (const auto& [field, expr] : u.remove) {
      ValueResult v = expr.EvaluateValue(ctx);
      if (v.error) return UpdateError{"remove." + field, &expr, std::move(*v.error)};
      Remove(field, v.value);
    }
    for (const auto& field : u.unset) Unset(field);
    return std::nullopt;
  }

  // Fills effects' set, append and unset.
  void Resolve(Effects& effects) const {
    Json& set = effects.set;
    Json& append = effects.append;
    std::vector<std::string>& unset = effects.unset;
    for (const auto& [key, change] : changes_) {
      auto it = base_.find(key);
      const bool existed = it != base_.end();
      switch (change.kind) {
        case Kind::kUnset:
          if (existed) unset.push_back(key);
          break;
        case Kind::kAppend:
          if (!change.value.empty()) append[key] = change.value;
          break;
        case Kind::kSet:
          if (!existed) {
            set[key] = change.value;
          } else if (*it != change.value) {
            const Json& v = change.value;
            const bool grew = it->is_array() && v.is_array() && v.size() > it->size() &&
                              std::equal(it->begin(), it->end(), v.begin());
            if (grew)
              append[key] = Json(v.begin() + static_cast<std::ptrdiff_t>(it->size()), v.end());
            else
              set[key] = v;
          }
          break;
      }
    }
  }

  // Size of list `key` after the change (0 when it is not a list).
  size_t SizeAfter(const std::string& key) const {
    auto c = changes_.find(key);
    const Json* base = Base(key);
    if (c == changes_.end()) return base && base->is_array() ? base->size() : 0;
    if (c->second.kind == Kind::kSet) return c->second.value.is_array() ? c->second.value.size() : 0;
    if (c->second.kind == Kind::kUnset) return 0;
    return (base ? base->size() : 0) + c->second.value.size();
  }

  bool HasAfter(const std::string& key) const {
    auto c = changes_.find(key);
    if (c == changes_.end()) return Base(key) != nullptr;
    return c->second.kind != Kind::kUnset;
  }

  // The value of `key` after the change, null when absent: O(list) for a list.
  Json ValueAfter(const std::string& key) const {
    auto c = changes_.find(key);
    const Json* base = Base(key);
    if (c == changes_.end()) return base ? *base : Json();
    if (c->second.kind == Kind::kSet) return c->second.value;
    if (c->second.kind == Kind::kUnset) return Json();
    Json list = base && base->is_array() ? *base : Json::array();
    for (const auto& item : c->second.value) list.push_back(item);
    return list;
  }

  // Every field after the change: O(state), for a schema that can not be
  // checked property by property.
  Json After() const {
    Json out = base_.is_object() ? base_ : Json::object();
    for (const auto& [key, change] : changes_) {
      if (change.kind == Kind::kUnset)
        out.erase(key);
      else
        out[key] = ValueAfter(key);
    }
    return out;
  }

 private:
  // kAppend: value holds the items added to the base list.
  enum class Kind { kSet, kAppend, kUnset };
  struct Change {
    Kind kind;
    Json value;
  };

  const Json* Base(const std::string& key) const {
    auto it = base_.find(key);
    return it == base_.end() ? nullptr : &*it;
  }
  void Unset(const std::string& field) { changes_[field] = Change{Kind::kUnset, Json()}; }

  void Append(const std::string& field, Json v) {
    auto c = changes_.find(field);
    if (c == changes_.end()) {
      const Json* base = Base(field);
      if (base == nullptr || base->is_null())
        changes_[field] = Change{Kind::kSet, Json::array({std::move(v)})};
      else if (base->is_array())
        changes_[field] = Change{Kind::kAppend, Json::array({std::move(v)})};
      return;  // a field of another type is left as it is
    }
    Change& change = c->second;
    if (change.kind == Kind::kUnset)
      change = Change{Kind::kSet, Json::array({std::move(v)})};
    else if (change.value.is_array())
      change.value.push_back(std::move(v));
  }

  // Removing items materializes the list: O(list), for the few events that remove.
  void Remove(const std::string& field, const Json& v) {
    auto c = changes_.find(field);
    Json current;
    if (c == changes_.end()) {
      const Json* base = Base(field);
      if (base == nullptr || !base->is_array()) return;
      current = *base;
    } else if (c->second.kind == Kind::kUnset) {
      return;
    } else if (c->second.kind == Kind::kAppend) {
      current = *Base(field);
      for (const auto& item : c->second.value) current.push_back(item);
    } else {
      if (!c->second.value.is_array()) return;
      current = std::move(c->second.value);
    }
    Json kept = Json::array();
    for (auto& item : current)
      if (item != v) kept.push_back(std::move(item));
    changes_[field] = Change{Kind::kSet, std::move(kept)};
  }

  const Json& base_;
  std::map<std::string, Change> changes_;
};

// Checks `value` with the loader's compiled schema; a definition not built by
// the loader (no compiled schema) has its schema compiled on the spot.
std::vector<SchemaViolation> CheckSchema(const std::shared_ptr<const CompiledSchema>& compiled, const Json& schema,
                                         const Json& value) {
  if (compiled) return compiled->Validate(value);
  return ValidateJson(schema, value);
}

// Checks a state change against the state schema, knowing the state before
// conformed: when the schema allows it (CompiledSchema::ChecksByProperty),
// only the properties the effects set, the items they append, the required
// properties and undeclared keys are checked. A command thus costs its
// change, not the project's whole state (a list of a thousand indicators is
// not re-validated for each new one, unless its schema bounds the list).
std::vector<SchemaViolation> ValidateStateChange(const CompiledSchema& schema, const FieldChanges& after,
                                                 const Effects& effects) {
  if (!schema.ChecksByProperty()) return schema.Validate(after.After());
  std::vector<SchemaViolation> out;
  auto add = [&](std::vector<SchemaViolation> found) {
    for (auto& v : found) out.push_back(std::move(v));
  };
  for (const auto& [key, value] : effects.set.items()) add(schema.ValidateProperty(key, value));
  for (const auto& [key, items] : effects.append.items()) {
    if (!schema.ChecksItemsAlone(key)) {
      add(schema.ValidateProperty(key, after.ValueAfter(key)));
      continue;
    }
    const size_t first = after.SizeAfter(key) - items.size();
    for (size_t i = 0; i < items.size(); ++i) add(schema.ValidateItem(key, items[i], first + i));
  }
  for (const auto& name : schema.RequiredProperties())
    if (!after.HasAfter(name))
      out.push_back({JsonPathMember("$", name), "required", "missing required property '" + name + "'"});
  return out;
}

// Appends the event and, when fold, folds it into d.next; a fold failure is
// a bug in the decision.
std::optional<Refusal> Finish(const WorkflowDefinition& def, const ProjectState& state, RecordedEvent event,
                              Decision& d, bool fold = true) {
  if (!fold) {
    d.events.push_back(std::move(event));
    return std::nullopt;
  }
  auto next = ApplyEvent(def, state, event);
  if (!next.ok())
    return Refuse(RefusalCode::kInvalidState, "internal: the decided event does not fold: " + next.status().message());
  d.events.push_back(std::move(event));
  d.next = std::move(next).value();
  return std::nullopt;
}

std::map<std::string, std::string> InitialTracks(const Phase& p) {
  std::map<std::string, std::string> tracks;
  for (const auto& t : p.tracks)
    if (!t.steps.empty() && !t.keyed()) tracks[t.id] = t.steps.front();  // keyed: PlanKeyedTracks
  return tracks;
}

}  // namespace

DecisionOrRefusal DecideCreate(const WorkflowDefinition& def, const ProjectState& state, const CreateCommand& command) {
  if (state.created) return Refuse(RefusalCode::kAlreadyCreated, "the project already exists");
  const std::vector<std::string>& creators = def.creator_roles.empty() ? CreatorRoles() : def.creator_roles;
  bool allowed = false;
  // The runtime creates spawned projects as `system`, whatever created_by says:
  // the spawning event's roles were the check.
  for (const auto& r : command.actor_roles) allowed = allowed || Contains(creators, r) || r == kSystemRole;
  if (!allowed) {
    std::string names;
    for (const auto& r : creators) names += (names.empty() ? "" : ", ") + r;
    return Refuse(RefusalCode::kRoleNotAllowed,
                  "only these roles may create a project of workflow '" + def.name + "': " + names,
                  {{"allowed_roles", creators}, {"actor_roles", command.actor_roles}});
  }
  std::string phase = command.initial_phase.empty() ? def.initial_phases.front() : command.initial_phase;
  if (!Contains(def.initial_phases, phase))
    return Refuse(RefusalCode::kUnknownPhase, "a project can not start in phase '" + phase + "'",
                  {{"phase", phase}, {"initial_phases", def.initial_phases}});
  Json fields = command.fields.is_null() ? Json::object() : command.fields;
  if (auto v = CheckSchema(def.compiled_state_schema, def.state_schema, fields); !v.empty())
    return SchemaRefusal(RefusalCode::kInvalidData,
                         "initial state fields are invalid at " + v.front().path + ": " + v.front().message,
                         Json::object(), def.state_schema, fields, v);
  Decision d;
  Effects effects;
  effects.phase = PhaseChange{std::nullopt, phase};
  effects.tracks = InitialTracks(*def.FindPhase(phase));
  effects.set = fields;
  auto field = [&fields](const std::string& f) { return fields.is_object() ? fields.value(f, Json()) : Json(); };
  PlanKeyedTracks(def, state.keyed_tracks, std::nullopt, phase, field, {}, GuardContext{}, effects);
  if (auto r = PlanTimers(def, state, {std::string(kProjectCreated), std::nullopt, phase, std::nullopt, nullptr},
                          effects, d))
    return *r;
  RecordedEvent event{std::string(kProjectCreated), {{"phase", phase}, {"fields", fields}}, std::move(effects)};
  if (auto r = Finish(def, state, std::move(event), d)) return *r;
  return d;
}

namespace {

DecisionOrRefusal DecideImpl(const WorkflowDefinition& def, const ProjectState& state, const Command& command,
                             bool fold) {
  if (!state.created) return Refuse(RefusalCode::kNotCreated, "the project has not been created");
  const EventType* event = def.FindEvent(command.event_type);
  if (event == nullptr)
    return Refuse(RefusalCode::kUnknownEventType, "unknown event type '" + command.event_type + "'",
                  {{"event_type", command.event_type}, {"known_types", def.EventTypes()}});
  if (command.fired_by_timer) {
    const Timer* t = def.FindTimer(*command.fired_by_timer);
    if (t == nullptr || t->fires != event->type || !state.armed_timers.count(t->id) ||
        state.paused_timers.count(t->id))  // a paused timer waits for the resumption
      return Refuse(RefusalCode::kTimerNotArmed, "timer '" + *command.fired_by_timer + "' is not armed for this event",
                    {{"timer", *command.fired_by_timer}, {"event_type", event->type}});
  }
  bool role_ok = false;
  for (const auto& r : command.actor_roles) role_ok = role_ok || Contains(event->roles, r);
  if (!role_ok)
    return Refuse(RefusalCode::kRoleNotAllowed, "none of the actor's roles may fire '" + event->type + "'",
                  {{"event_type", event->type}, {"allowed_roles", event->roles}, {"actor_roles", command.actor_roles}});
  std::vector<std::string> allowed_phases = PhasesAllowing(def, *event);
  if (!Contains(allowed_phases, state.phase))
    return Refuse(RefusalCode::kNotAllowedInPhase,
                  "'" + event->type + "' is not allowed in phase '" + state.phase + "'",
                  {{"event_type", event->type}, {"phase", state.phase}, {"allowed_phases", allowed_phases}});
  if (event->suspension == Suspension::kSuspend && state.suspended)
    return Refuse(RefusalCode::kAlreadySuspended, "the project is already suspended", {{"event_type", event->type}});
  if (state.suspended && !event->allowed_while_suspended)
    return Refuse(RefusalCode::kSuspended,
                  "the project is suspended; '" + event->type + "' must wait for its resumption",
                  {{"event_type", event->type}});
  if (event->suspension == Suspension::kResume && !state.suspended)
    return Refuse(RefusalCode::kNotSuspended, "the project is not suspended", {{"event_type", event->type}});

  static const Json kNoData = Json::object();
  const Json& data = command.data.is_null() ? kNoData : command.data;
  if (auto v = CheckSchema(event->compiled_schema, event->schema, data); !v.empty())
    return SchemaRefusal(RefusalCode::kInvalidData, "invalid data at " + v.front().path + ": " + v.front().message,
                         {{"event_type", event->type}}, event->schema, data, v);

  // Built only if some expression reads `project.` (most events never do).
  const LazyJson project([&state, &command] {
    Json view = state.ProjectView();
    if (command.children) view["children"] = *command.children;
    return view;
  });
  const ActorView actor{command.actor_subject,
                        command.actor_partner ? std::optional<std::string_view>(*command.actor_partner) : std::nullopt,
                        &command.actor_roles};
  GuardContext ctx{&state.fields, &data, nullptr, &actor, nullptr, &project};
  if (auto refused = CheckPreconditions(def, *event, ctx)) return *refused;
  const Transition* chosen = nullptr;
  // The transitions whose `when` did not hold: explained only if none does.
  std::vector<std::pair<const GuardClause*, GuardResult>> failed_whens;
  for (const auto& t : event->transitions) {
    if (!t.when) {
      chosen = &t;
      break;
    }
    GuardResult r = t.when->guard.EvaluateExplainingFailure(ctx);
    if (r.error)
      return ExpressionRefusal(def, event->type, "a transition's when", t.when->guard, *r.error, t.when->location);
    if (r.passed) {
      chosen = &t;
      break;
    }
    failed_whens.emplace_back(&*t.when, std::move(r));
  }
  if (!event->transitions.empty() && chosen == nullptr) {
    Json tried = Json::array();
    for (const auto& [when, result] : failed_whens) tried.push_back(TriedTransition(def, *when, result));
    return NoTransitionRefusal(*event, std::move(tried));
  }

  Effects effects;
  FieldChanges changes(state.fields);
  std::optional<UpdateError> failed = changes.Apply(event->update, ctx);
  if (failed) return ExpressionRefusal(def, event->type, failed->what, *failed->expr, failed->error, event->location);
  if (chosen) failed = changes.Apply(chosen->update, ctx);
  if (failed) return ExpressionRefusal(def, event->type, failed->what, *failed->expr, failed->error, chosen->location);
  changes.Resolve(effects);
  if (auto r = ResolveMembership(def, *event, ctx, effects.membership)) return *r;
  if (chosen)
    if (auto r = ResolveSpawns(def, *event, *chosen, ctx, effects.spawned)) return *r;
  const CompiledSchema* state_schema = def.compiled_state_schema.get();
  std::shared_ptr<const CompiledSchema> compiled_here;  // a definition not built by the loader
  if (!state_schema) {
    auto compiled = CompiledSchema::Compile(def.state_schema);
    if (!compiled.ok())
      return Refuse(RefusalCode::kInvalidState,
                    "internal: the state schema does not compile: " + compiled.status().message());
    compiled_here = *compiled;
    state_schema = compiled_here.get();
  }
  if (auto v = ValidateStateChange(*state_schema, changes, effects); !v.empty())
    return SchemaRefusal(RefusalCode::kInvalidState,
                         "the resulting state would be invalid at " + v.front().path + ": " + v.front().message,
                         {{"event_type", event->type}}, def.state_schema, changes.After(), v);

  std::string to = chosen && chosen->to ? *chosen->to : state.phase;
  if (to != state.phase) {
    effects.phase = PhaseChange{state.phase, to};
    effects.tracks = InitialTracks(*def.FindPhase(to));
  }
  static const std::vector<KeyedTrackMove> kNoMoves;
  auto field_after = [&changes](const std::string& f) { return changes.ValueAfter(f); };
  if (auto e = PlanKeyedTracks(def, state.keyed_tracks, state.phase, to, field_after,
                               chosen ? chosen->keyed_track_moves : kNoMoves, ctx, effects))
    return KeyedTrackRefusal(def, event->type, *e);
  if (chosen && !chosen->track_moves.empty()) {
    if (!effects.tracks) effects.tracks.emplace();
    for (const auto& [track, step] : chosen->track_moves) (*effects.tracks)[track] = step;
  }
  if (event->suspension == Suspension::kSuspend) effects.suspended = true;
  if (event->suspension == Suspension::kResume) effects.suspended = false;

  Decision d;
  if (auto r = PlanTimers(def, state, {event->type, state.phase, to, command.fired_by_timer, &data}, effects, d))
    return *r;
  for (const auto& topic : event->notify)
    if (!Contains(d.notify, topic)) d.notify.push_back(topic);
  RecordedEvent recorded{event->type, data, std::move(effects)};
  if (auto r = Finish(def, state, std::move(recorded), d, fold)) return *r;
  return d;
}

}  // namespace

DecisionOrRefusal Decide(const WorkflowDefinition& def, const ProjectState& state, const Command& command) {
  return DecideImpl(def, state, command, true);
}

DecisionOrRefusal DecideChange(const WorkflowDefinition& def, const ProjectState& state, const Command& command) {
  return DecideImpl(def, state, command, false);
}

bool ArmedAfter(const ProjectState& before, const Decision& d, const std::string& timer_id) {
  bool armed = before.armed_timers.count(timer_id) > 0;
  // As the fold applies effects.timers: cancelled, then fired, then armed.
  for (const RecordedEvent& e : d.events) {
    const TimerEffects& timers = e.effects.timers;
    auto listed = [&](const std::vector<std::string>& ids) {
      return std::find(ids.begin(), ids.end(), timer_id) != ids.end();
    };
    if (listed(timers.cancelled) || listed(timers.fired)) armed = false;
    if (timers.armed.count(timer_id)) armed = true;
  }
  return armed;
}

}  // namespace relais::workflow
