#include "engine/workflow/loader.h"

#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "engine/workflow/decision.h"
#include "engine/workflow/expression_types.h"
#include "engine/workflow/graph_checks.h"
#include "engine/workflow/json_schema.h"
#include "engine/workflow/keyed_tracks.h"
#include "engine/workflow/loader_links.h"
#include "engine/workflow/loader_message.h"
#include "engine/workflow/loader_timers.h"
#include "engine/workflow/loader_tracks.h"
#include "engine/workflow/schema_loader.h"
#include "engine/workflow/timer_dates.h"
#include "engine/workflow/yaml_document.h"
#include "engine/workflow/yaml_reader.h"

namespace relais::workflow {
namespace {

using Loc = SourceLocation;

const std::vector<std::string> kTopKeys = {"workflow", "version", "description", "labels", "roles",      "state",
                                           "phases",   "initial", "events",      "timers", "created_by", "children"};
const std::vector<std::string> kPhaseKeys = {"id", "labels", "terminal", "planned_year", "tracks", "description"};
const std::vector<std::string> kEventKeys = {
    "type", "labels", "description", "data",  "roles",       "phases", "while_suspended", "suspension", "requires",
    "set",  "append", "remove",      "unset", "transitions", "notify", "partners",        "people"};
const std::vector<std::string> kTransitionKeys = {"when",  "to",     "set",     "append", "remove",
                                                  "unset", "tracks", "message", "spawn"};
const std::vector<std::string> kGuardKeys = {"guard", "message"};
const std::vector<std::string> kTimerKeys = {"id",       "labels", "after", "at",         "times_per_year", "every",
                                             "armed_on", "fires",  "until", "on_suspend", "description"};
const std::vector<std::string> kProjectFields = {"phase", "suspended", "tracks", "children"};
// Reserved: the runtime records creation under this type.
constexpr std::string_view kCreatedEventType = "project_created";

class Loader {
 public:
  Loader(std::string file, const WorkflowLimits& limits, const LinkedWorkflows& linked)
      : limits_(limits),
        result_{std::nullopt, Diagnostics(file, limits.max_diagnostics)},
        reader_(result_.diagnostics, limits) {
    def_.file_name = std::move(file);
    links_.SetLinkedWorkflows(linked);
  }

  LoadResult Run(std::string_view text) {
    Diagnostics& d = result_.diagnostics;
    if (text.size() > limits_.max_file_bytes) {
      d.Error({1, 1}, "too-large", "workflow file too large", std::to_string(text.size()) + " bytes",
              "at most " + std::to_string(limits_.max_file_bytes) + " bytes");
      return std::move(result_);
    }
    std::optional<YAML::Node> root = ParseSingleDocument(text, d);
    if (!root) return std::move(result_);
    try {
      LoadAll(*root);
    } catch (const YAML::Exception& e) {
      // yaml-cpp throws on some malformed trees (e.g. aliases used as keys); never let it escape.
      Loc at = e.mark.is_null() ? Loc{1, 1} : Loc{e.mark.line + 1, e.mark.column + 1};
      d.Error(at, "syntax", "unreadable YAML structure: " + e.msg);
    }
    if (!d.has_errors()) {
      def_.content_hash = ContentHash(def_);
      result_.definition = std::move(def_);
    }
    return std::move(result_);
  }

 private:
  Diagnostics& diag() { return result_.diagnostics; }

  void LoadAll(const YAML::Node& root) {
    if (!IsMapNode(root)) {
      diag().Error(YamlReader::Loc(root).line ? YamlReader::Loc(root) : Loc{1, 1}, "wrong-type",
                   "a workflow file is a mapping", YamlReader::Describe(root),
                   "keys workflow, version, labels, state, phases, initial, events, timers");
      return;
    }
    reader_.CheckKeys(root, kTopKeys, "the workflow");
    Loc top{1, 1};
    if (auto name = reader_.Identifier(root["workflow"], "workflow (its name)", top)) def_.name = *name;
    if (const YAML::Node v = root["version"]; v.IsDefined()) {
      if (auto n = reader_.Integer(v, "version", top)) {
        if (*n < 1 || *n > limits_.max_version)
          diag().Error(YamlReader::Loc(v), "out-of-range", "version out of range", std::to_string(*n),
                       "1 to " + std::to_string(limits_.max_version));
        else
          def_.version = static_cast<int>(*n);
      }
    }
    def_.labels = LoadLabels(root["labels"], "workflow labels", top);
    LoadRoles(root["roles"]);
    LoadCreatedBy(root["created_by"]);
    LoadState(root["state"]);
    LoadPhases(root["phases"]);
    CheckKeyedTrackIds(def_, diag());
    keyed_track_schemas_ = KeyedTrackSchemas(def_);
    LoadInitial(root["initial"]);
    links_.LoadChildren(root["children"]);  // before the guards that count them
    // Event types first, bodies second: a timer or guard may name any event.
    LoadEvents(root["events"]);
    LoadTimers(root["timers"]);
    if (!diag().has_errors()) CheckPhaseGraph(def_, diag());
  }

  Labels LoadLabels(const YAML::Node& node, const std::string& what, Loc fallback) {
    Labels labels;
    if (!node.IsDefined()) {
      diag().Error(fallback, "missing", what + " are required", "nothing", "labels: {fr: ..., en: ...}",
                   "people read French first; give both languages");
      return labels;
    }
    if (!reader_.ExpectMap(node, what, fallback)) return labels;
    reader_.CheckKeys(node, {"fr", "en"}, what);
    if (auto fr = reader_.String(node["fr"], what + " fr", YamlReader::Loc(node))) labels.fr = *fr;
    if (auto en = reader_.String(node["en"], what + " en", YamlReader::Loc(node))) labels.en = *en;
    return labels;
  }

  void LoadRoles(const YAML::Node& node) {
    def_.roles = BuiltinRoles();
    if (!node.IsDefined()) return;
    for (const auto& [role, at] : reader_.IdentifierList(node, "roles", {1, 1})) {
      if (std::find(def_.roles.begin(), def_.roles.end(), role) != def_.roles.end()) {
        diag().Error(at, "duplicate", "role '" + role + "' is declared twice or is built in", "'" + role + "'",
                     "a new role name", "built-in roles: " + JoinNames(BuiltinRoles()));
        continue;
      }
      def_.roles.push_back(role);
    }
  }

  // created_by: [roles] — who may create a project; absent = CreatorRoles().
  void LoadCreatedBy(const YAML::Node& node) {
    if (!node.IsDefined()) {
      def_.creator_roles = CreatorRoles();
      return;
    }
    def_.creator_roles_declared = true;
    for (const auto& [role, at] : reader_.IdentifierList(node, "created_by", {1, 1})) {
      if (std::find(def_.roles.begin(), def_.roles.end(), role) == def_.roles.end()) {
        diag().Error(at, "unknown-role", "created_by names an undeclared role", "'" + role + "'",
                     "one of " + JoinNames(def_.roles), DidYouMean(role, def_.roles));
        continue;
      }
      if (std::find(def_.creator_roles.begin(), def_.creator_roles.end(), role) != def_.creator_roles.end()) {
        diag().Error(at, "duplicate", "role '" + role + "' is listed twice in created_by", "'" + role + "'",
                     "unique roles");
        continue;
      }
      def_.creator_roles.push_back(role);
    }
    if (def_.creator_roles.empty() && !diag().has_errors())
      diag().Error(YamlReader::Loc(node), "missing", "created_by lists no role", "an empty list", "at least one role",
                   "leave created_by out for the default: " + JoinNames(CreatorRoles()));
  }

  void LoadState(const YAML::Node& node) {
    if (!node.IsDefined()) {
      def_.state_schema = {{"type", "object"}, {"properties", Json::object()}, {"additionalProperties", false}};
      def_.compiled_state_schema = CompileSchema(reader_, node, def_.state_schema, "state schema");
      return;
    }
    auto schema = LoadSchema(reader_, node, "state schema");
    if (!schema) return;
    if (SchemaTypes(*schema) != std::vector<std::string>{"object"}) {
      diag().Error(YamlReader::Loc(node), "state-schema", "the state schema must be of type object",
                   DumpJson((*schema)["type"]), "type: object");
      return;
    }
    // State fields are a closed set: a typo in `set:` must not create a field silently.
    if (!schema->contains("additionalProperties")) (*schema)["additionalProperties"] = false;
    def_.state_schema = std::move(*schema);
    def_.compiled_state_schema = CompileSchema(reader_, node, def_.state_schema, "state schema");
  }

  void LoadPhases(const YAML::Node& node) {
    if (!node.IsDefined() || !reader_.ExpectList(node, "phases", {1, 1})) {
      if (!node.IsDefined()) diag().Error({1, 1}, "missing", "phases are required", "nothing", "a list of phases");
      return;
    }
    if (!reader_.WithinLimit(node, node.size(), limits_.max_phases, "too many phases")) return;
    for (const auto& item : node) {
      if (!reader_.ExpectMap(item, "a phase", YamlReader::Loc(node))) continue;
      reader_.CheckKeys(item, kPhaseKeys, "a phase");
      Phase phase;
      phase.location = YamlReader::Loc(item);
      auto id = reader_.Identifier(item["id"], "phase id", phase.location);
      if (!id) continue;
      phase.id = *id;
      phase.location = YamlReader::Loc(item["id"]);
      if (def_.FindPhase(phase.id)) {
        diag().Error(phase.location, "duplicate", "phase '" + phase.id + "' is declared twice", "'" + phase.id + "'",
                     "unique phase ids");
        continue;
      }
      phase.labels = LoadLabels(item["labels"], "labels of phase '" + phase.id + "'", phase.location);
      if (const YAML::Node t = item["terminal"]; t.IsDefined())
        phase.terminal = reader_.Bool(t, "terminal", phase.location).value_or(false);
      if (const YAML::Node y = item["planned_year"]; y.IsDefined())
        if (auto key = reader_.Identifier(y, "planned_year key", phase.location)) phase.planned_year_key = *key;
      if (const YAML::Node tracks = item["tracks"]; tracks.IsDefined()) LoadTracks(tracks, phase);
      def_.phases.push_back(std::move(phase));
    }
  }

  void LoadTracks(const YAML::Node& node, Phase& phase) {
    if (!reader_.ExpectList(node, "tracks", phase.location)) return;
    if (phase.terminal)
      diag().Error(YamlReader::Loc(node), "terminal-tracks", "a terminal phase has no tracks", "tracks", "no tracks",
                   "tracks describe work in progress; move them to an open phase");
    for (const auto& item : node) {
      if (!reader_.ExpectMap(item, "a track", YamlReader::Loc(node))) continue;
      reader_.CheckKeys(item, TrackKeysAllowed(), "a track");
      Track track;
      track.location = YamlReader::Loc(item);
      auto id = reader_.Identifier(item["id"], "track id", track.location);
      if (!id) continue;
      track.id = *id;
      for (const auto& t : phase.tracks)
        if (t.id == track.id)
          diag().Error(YamlReader::Loc(item["id"]), "duplicate", "track '" + track.id + "' is declared twice",
                       "'" + track.id + "'", "unique track ids within a phase");
      track.labels = LoadLabels(item["labels"], "labels of track '" + track.id + "'", track.location);
      std::set<std::string> seen;
      for (const auto& [step, at] : reader_.IdentifierList(item["steps"], "steps", track.location)) {
        if (!seen.insert(step).second)
          diag().Error(at, "duplicate", "step '" + step + "' appears twice", "'" + step + "'", "unique steps");
        track.steps.push_back(step);
      }
      if (track.steps.empty() && item["steps"].IsDefined())
        diag().Error(YamlReader::Loc(item["steps"]), "missing", "a track needs at least one step", "nothing",
                     "steps: [first, ..., done]");
      if (!track.steps.empty()) LoadTrackExtras(track_ctx_, item, track);
      phase.tracks.push_back(std::move(track));
    }
  }

  // Reports an unknown phase reference; returns whether it is known.
  bool CheckPhaseRef(const std::string& id, Loc at, const std::string& what) {
    if (def_.FindPhase(id)) return true;
    diag().Error(at, "unknown-phase", what + " names an unknown phase", "'" + id + "'",
                 "one of " + JoinNames(def_.PhaseIds()), DidYouMean(id, def_.PhaseIds()));
    return false;
  }

  void LoadInitial(const YAML::Node& node) {
    if (!node.IsDefined()) {
      diag().Error({1, 1}, "missing", "initial is required", "nothing",
                   "the phase(s) a project may be created in, e.g. initial: [mobilisation]");
      return;
    }
    for (const auto& [id, at] : reader_.IdentifierList(node, "initial", {1, 1})) {
      if (!CheckPhaseRef(id, at, "initial")) continue;
      if (def_.FindPhase(id)->terminal) {
        diag().Error(at, "terminal-initial", "a project can not be created in a terminal phase", "'" + id + "'",
                     "an open phase");
        continue;
      }
      if (std::find(def_.initial_phases.begin(), def_.initial_phases.end(), id) != def_.initial_phases.end()) {
        diag().Error(at, "duplicate", "initial phase '" + id + "' listed twice", "'" + id + "'", "unique ids");
        continue;
      }
      def_.initial_phases.push_back(id);
    }
    if (def_.initial_phases.empty() && !diag().has_errors())
      diag().Error(YamlReader::Loc(node), "missing", "initial lists no phase", "an empty list", "at least one phase");
  }

  void LoadEvents(const YAML::Node& node) {
    if (!node.IsDefined()) return;
    if (!reader_.ExpectList(node, "events", {1, 1})) return;
    if (!reader_.WithinLimit(node, node.size(), limits_.max_events, "too many events")) return;
    // Pass 1: types, so that bodies (and timers) can refer to any event.
    std::vector<YAML::Node> bodies;
    std::vector<YAML::Node> items;
    for (const auto& n : node) items.push_back(n);
    for (const auto& item : items) {
      if (!reader_.ExpectMap(item, "an event", YamlReader::Loc(node))) continue;
      auto type = reader_.Identifier(item["type"], "event type", YamlReader::Loc(item));
      if (!type) continue;
      Loc at = YamlReader::Loc(item["type"]);
      if (*type == kCreatedEventType) {
        diag().Error(at, "reserved", "event type '" + *type + "' is reserved", "'" + *type + "'", "another name",
                     "creation is built in: projects start in one of the initial phases");
        continue;
      }
      if (def_.FindEvent(*type)) {
        diag().Error(at, "duplicate", "event type '" + *type + "' is declared twice", "'" + *type + "'",
                     "unique event types");
        continue;
      }
      EventType e;
      e.type = *type;
      e.location = at;
      def_.events.push_back(std::move(e));
      bodies.push_back(item);
    }
    for (size_t i = 0; i < bodies.size(); ++i) LoadEventBody(bodies[i], def_.events[i]);
  }

  void LoadEventBody(const YAML::Node& item, EventType& e) {
    reader_.CheckKeys(item, kEventKeys, "event '" + e.type + "'");
    e.labels = LoadLabels(item["labels"], "labels of event '" + e.type + "'", e.location);
    if (const YAML::Node data = item["data"]; data.IsDefined()) {
      if (auto schema = LoadSchema(reader_, data, "data schema of '" + e.type + "'")) {
        if (SchemaTypes(*schema) != std::vector<std::string>{"object"})
          diag().Error(YamlReader::Loc(data), "data-schema", "event data must be of type object",
                       DumpJson((*schema)["type"]), "type: object");
        e.schema = std::move(*schema);
        e.compiled_schema = CompileSchema(reader_, data, e.schema, "data schema of '" + e.type + "'");
      }
    } else {
      e.schema = {{"type", "object"}, {"additionalProperties", false}};
      e.compiled_schema = CompileSchema(reader_, data, e.schema, "data schema of '" + e.type + "'");
    }
    for (const auto& [role, at] : reader_.IdentifierList(item["roles"], "roles of '" + e.type + "'", e.location)) {
      if (std::find(def_.roles.begin(), def_.roles.end(), role) == def_.roles.end()) {
        diag().Error(
            at, "unknown-role", "unknown role", "'" + role + "'", "one of " + JoinNames(def_.roles),
            DidYouMean(role, def_.roles).empty() ? "declare custom roles under roles:" : DidYouMean(role, def_.roles));
        continue;
      }
      e.roles.push_back(role);
    }
    if (e.roles.empty() && !item["roles"].IsDefined())
      diag().Error(e.location, "missing", "event '" + e.type + "' says nobody may fire it", "no roles",
                   "roles: [coordinator, ...]");
    LoadEventPhases(item["phases"], e);
    if (const YAML::Node s = item["while_suspended"]; s.IsDefined())
      e.allowed_while_suspended = reader_.Bool(s, "while_suspended", e.location).value_or(false);
    if (const YAML::Node s = item["suspension"]; s.IsDefined()) {
      auto v = reader_.String(s, "suspension", e.location);
      if (v && *v == "suspend") {
        e.suspension = Suspension::kSuspend;
      } else if (v && *v == "resume") {
        e.suspension = Suspension::kResume;
        e.allowed_while_suspended = true;  // resuming is only possible while suspended
      } else if (v) {
        diag().Error(YamlReader::Loc(s), "bad-value", "unknown suspension effect", "'" + *v + "'", "suspend or resume",
                     DidYouMean(*v, {"suspend", "resume"}));
      }
    }
    if (const YAML::Node req = item["requires"]; req.IsDefined()) {
      if (IsScalarNode(req) || IsMapNode(req)) {
        if (auto g = LoadGuardClause(req, e)) e.preconditions.push_back(std::move(*g));
      } else if (reader_.ExpectList(req, "requires", e.location)) {
        for (const auto& g : req)
          if (auto clause = LoadGuardClause(g, e)) e.preconditions.push_back(std::move(*clause));
      }
    }
    e.update = LoadUpdate(item, e);
    e.membership = LoadMembership(item, e);
    if (const YAML::Node ts = item["transitions"]; ts.IsDefined()) {
      if (reader_.ExpectList(ts, "transitions", e.location) &&
          reader_.WithinLimit(ts, ts.size(), limits_.max_transitions_per_event, "too many transitions"))
        for (const auto& t : ts) LoadTransition(t, e);
    }
    for (size_t i = 0; i + 1 < e.transitions.size(); ++i) {
      if (!e.transitions[i].when) {
        diag().Warning(e.transitions[i + 1].location, "shadowed-transition", "this transition can never be chosen",
                       "an earlier transition without 'when'", "unconditional transitions last",
                       "transitions are tried in order; the first match wins");
        break;
      }
    }
    for (const auto& [topic, at] : TopicList(item["notify"], e.location)) e.notify.push_back(topic);
  }

  // Topics are dotted identifiers: "projet.verdict".
  std::vector<std::pair<std::string, Loc>> TopicList(const YAML::Node& node, Loc fallback) {
    std::vector<std::pair<std::string, Loc>> out;
    if (!node.IsDefined()) return out;
    std::vector<YAML::Node> items;
    if (IsScalarNode(node))
      items.push_back(node);
    else if (reader_.ExpectList(node, "notify", fallback))
      for (const auto& n : node) items.push_back(n);
    for (const auto& n : items) {
      auto s = reader_.String(n, "notification topic", fallback);
      if (!s) continue;
      bool ok = !s->empty() && s->size() <= limits_.max_identifier_length && s->front() != '.' && s->back() != '.';
      for (char c : *s) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.');
      if (!ok) {
        diag().Error(YamlReader::Loc(n), "bad-topic", "bad notification topic", "'" + *s + "'",
                     "dot-separated lower-case words, e.g. projet.verdict");
        continue;
      }
      out.emplace_back(*s, YamlReader::Loc(n));
    }
    return out;
  }

  void LoadEventPhases(const YAML::Node& node, EventType& e) {
    if (!node.IsDefined()) {
      e.any_open_phase = true;
      return;
    }
    if (IsScalarNode(node) && node.Scalar() == "open") {
      e.any_open_phase = true;
      return;
    }
    for (const auto& [id, at] : reader_.IdentifierList(node, "phases of '" + e.type + "'", e.location)) {
      if (id == "open") {
        e.any_open_phase = true;
        continue;
      }
      if (CheckPhaseRef(id, at, "event '" + e.type + "'")) e.phases.push_back(id);
    }
  }

  std::optional<GuardClause> LoadGuardClause(const YAML::Node& node, const EventType& e) {
    GuardClause clause;
    // Never assign to a YAML::Node that refers into the tree: yaml-cpp's
    // operator= overwrites the referred node. Bind once instead.
    const YAML::Node expr = IsMapNode(node) ? node["guard"] : node;
    if (IsMapNode(node)) {
      reader_.CheckKeys(node, kGuardKeys, "a guard");
      if (const YAML::Node m = node["message"]; m.IsDefined())
        clause.message = ReadMessage(reader_, m, YamlReader::Loc(node)).value_or(Message{});
    }
    auto guard = ParseGuardNode(expr, e, /*value=*/false);
    if (!guard) return std::nullopt;
    clause.guard = std::move(*guard);
    clause.location = YamlReader::Loc(expr);
    return clause;
  }

  // Where column `column` (1-based) of the scalar's text is in the file.
  static Loc ColumnIn(const YAML::Node& scalar, int column) {
    Loc at = YamlReader::Loc(scalar);
    int quote = scalar.Tag() == "!" ? 1 : 0;  // quoted scalars start at the quote
    return {at.line, at.column + quote + column - 1};
  }

  std::optional<Guard> ParseGuardNode(const YAML::Node& node, const EventType& e, bool value) {
    // A bare true/false/number in YAML is a valid literal expression too.
    auto text = reader_.String(node, value ? "value expression" : "guard expression", e.location);
    if (!text) return std::nullopt;
    auto parsed = value ? Guard::ParseValue(*text, limits_) : Guard::Parse(*text, limits_);
    if (auto* err = std::get_if<GuardParseError>(&parsed)) {
      diag().Error(ColumnIn(node, err->column), "guard-syntax",
                   std::string(value ? "bad value expression: " : "bad guard: ") + err->message, err->found,
                   err->expected);
      return std::nullopt;
    }
    Guard g = std::get<Guard>(std::move(parsed));
    size_t before = diag().error_count();
    for (const GuardNode* p : g.Paths()) CheckPath(*p, node, e);
    if (diag().error_count() == before)
      for (const auto& problem :
           CheckExpressionTypes(g.root(), ExpressionScope{&def_.state_schema, &e.schema, &keyed_track_schemas_}))
        diag().Error(ColumnIn(node, problem.column), problem.code, problem.message, problem.found, problem.expected,
                     problem.hint);
    if (diag().error_count() == before && !value) CheckCondition(g.root(), node, e);
    if (diag().error_count() == before) CheckItemConditions(g.root(), node, e);
    if (diag().error_count() != before) return std::nullopt;
    return g;
  }

  const Json* SchemaOfPath(const GuardNode& p, const EventType& e) {
    if (p.path[0] == kStateRoot) return SchemaAt(def_.state_schema, p.path, 1);
    if (p.path[0] == kEventRoot) return SchemaAt(e.schema, p.path, 1);
    return nullptr;
  }

  void CheckPath(const GuardNode& p, const YAML::Node& node, const EventType& e) {
    // actor.* and item.*: CheckExpressionTypes.
    if (p.path[0] == kActorRoot || p.path[0] == kItemRoot) return;
    Loc at = ColumnIn(node, p.column);
    std::string full = JoinPath(p.path);
    if (p.path[0] == kProjectRoot && p.path.size() >= 2 && p.path[1] == "children") {
      links_.CheckChildrenPath(p.path, at);
      return;
    }
    if (p.path[0] == kProjectRoot) {
      bool ok = p.path.size() >= 2 &&
                std::find(kProjectFields.begin(), kProjectFields.end(), p.path[1]) != kProjectFields.end();
      if (ok && p.path[1] == "tracks") {
        // A keyed track is a list of {key, step}: project.tracks.<id>.step projects it.
        ok = (p.path.size() == 3 && KnownTrack(p.path[2])) ||
             (p.path.size() == 4 && FindKeyedTrack(def_, p.path[2]) && (p.path[3] == "key" || p.path[3] == "step"));
      } else if (ok) {
        ok = p.path.size() == 2;
      }
      if (!ok)
        diag().Error(at, "unknown-field", "guard refers to an unknown project field", "'" + full + "'",
                     "project.phase, project.suspended, project.tracks.<track id> or project.children.<kind>...",
                     p.path.size() >= 2 ? DidYouMean(p.path[1], kProjectFields) : "");
      return;
    }
    const Json& root_schema = p.path[0] == kStateRoot ? def_.state_schema : e.schema;
    if (p.path.size() == 1) {
      if (p.path[0] == kEventRoot && p.op == GuardOp::kPath) return;  // the whole data object
      diag().Error(at, "unknown-field", "a path needs a field name", "'" + full + "'", "'" + full + ".<field>'");
      return;
    }
    // Walk as far as declared, to name the first unknown segment precisely.
    const Json* schema = &root_schema;
    bool through_list = false;  // state.financements.montant: a projection over a list's items
    for (size_t i = 1; i < p.path.size(); ++i) {
      const Json* next = SchemaThrough(*schema, {p.path[i]}, 0, &through_list);
      if (next == nullptr) {
        std::vector<std::string> declared;
        if (auto props = schema->find("properties"); props != schema->end() && props->is_object())
          for (const auto& [k, v] : props->items()) declared.push_back(k);
        std::string where =
            p.path[0] == kStateRoot ? "the workflow's state schema" : "the data schema of event '" + e.type + "'";
        diag().Error(at, "unknown-field", "guard refers to a field not declared in " + where, "'" + full + "'",
                     declared.empty() ? "a declared field (none are declared here)" : "one of " + JoinNames(declared),
                     DidYouMean(p.path[i], declared));
        return;
      }
      schema = next;
    }
    if (p.op == GuardOp::kCount && !through_list) {
      auto types = SchemaTypes(*schema);
      bool countable = types.empty();
      for (const auto& t : types) countable = countable || t == "array" || t == "object";
      if (!countable)
        diag().Error(at, "guard-type", "count() needs a list or an object",
                     "'" + full + "' of type " + JoinNames(types), "a field of type array or object",
                     "use exists(" + full + ") to test presence");
    }
  }

  bool KnownTrack(const std::string& id) {
    for (const auto& p : def_.phases)
      for (const auto& t : p.tracks)
        if (t.id == id) return true;
    return false;
  }

  // The condition of every count/any/all(list, condition) must be one.
  void CheckItemConditions(const GuardNode& n, const YAML::Node& node, const EventType& e) {
    const bool has_condition = n.op == GuardOp::kAny || n.op == GuardOp::kAll || n.op == GuardOp::kCount;
    if (has_condition && !n.children.empty()) CheckCondition(*n.children[0], node, e);
    for (const auto& c : n.children) CheckItemConditions(*c, node, e);
  }

  // The guard must be a condition, and ordered comparisons must compare numbers or texts.
  void CheckCondition(const GuardNode& n, const YAML::Node& node, const EventType& e) {
    Loc at = ColumnIn(node, n.column);
    switch (n.op) {
      case GuardOp::kNot:
      case GuardOp::kAnd:
      case GuardOp::kOr:
        for (const auto& c : n.children) CheckCondition(*c, node, e);
        return;
      case GuardOp::kLt:
      case GuardOp::kLe:
      case GuardOp::kGt:
      case GuardOp::kGe:
        for (const auto& c : n.children) {
          std::vector<std::string> types;
          if (c->op == GuardOp::kPath) {
            if (const Json* s = SchemaOfPath(*c, e)) types = SchemaTypes(*s);
          } else if (c->op == GuardOp::kLiteral) {
            if (c->literal.is_boolean()) types = {"boolean"};
            if (c->literal.is_null()) types = {"null"};
          }
          bool ordered = types.empty();
          for (const auto& t : types) ordered = ordered || t == "number" || t == "integer" || t == "string";
          if (!ordered)
            diag().Error(ColumnIn(node, c->column), "guard-type", "ordering comparison on a value that has no order",
                         "type " + JoinNames(types), "a number or a text", "use == or != for booleans and null");
        }
        return;
      case GuardOp::kEq:
      case GuardOp::kNe:
      case GuardOp::kIn: CheckLiteralsAgainstDomain(n, node, e); return;
      case GuardOp::kExists:
      case GuardOp::kAny:
      case GuardOp::kAll: return;
      case GuardOp::kAdd:
      case GuardOp::kSub:
      case GuardOp::kMul:
      case GuardOp::kDiv:
      case GuardOp::kNeg:
      case GuardOp::kSum:
      case GuardOp::kMin:
      case GuardOp::kMax:
        diag().Error(at, "guard-type", "a calculation is a number, not a condition", n.text, "a comparison",
                     "compare it, e.g. " + n.text + " >= 1");
        return;
      case GuardOp::kPath: {
        if (n.path[0] == kItemRoot) return;  // a boolean item, or false
        const Json* s = SchemaOfPath(n, e);
        auto types = s ? SchemaTypes(*s) : std::vector<std::string>{};
        if (std::find(types.begin(), types.end(), "boolean") != types.end() || (s && types.empty()) ||
            (n.path[0] == kProjectRoot && n.path[1] == "suspended"))
          return;
        diag().Error(at, "guard-type", "this is a value, not a condition", "'" + JoinPath(n.path) + "'",
                     "a comparison, exists(...), or a boolean field",
                     "write exists(" + JoinPath(n.path) + ") or compare it with ==");
        return;
      }
      case GuardOp::kCount:
        diag().Error(at, "guard-type", "count(...) is a number, not a condition", n.text, "a comparison",
                     "write " + n.text + " >= 1");
        return;
      case GuardOp::kLiteral:
        if (n.literal.is_boolean()) return;
        diag().Error(at, "guard-type", "a literal is not a condition", DumpJson(n.literal),
                     "true, false or a comparison");
        return;
      case GuardOp::kList: return;
    }
  }

  // The closed set of texts a path can hold, when there is one: an enum,
  // the phase ids, a track's steps. Empty when any value is possible.
  std::vector<std::string> DomainOf(const GuardNode& p, const EventType& e) {
    std::vector<std::string> out;
    if (p.op != GuardOp::kPath) return out;
    if (p.path[0] == kProjectRoot) {
      if (p.path.size() == 2 && p.path[1] == "phase") return def_.PhaseIds();
      if (p.path.size() == 3 && p.path[1] == "tracks")
        for (const auto& phase : def_.phases)
          for (const auto& t : phase.tracks)
            if (t.id == p.path[2] && !t.keyed()) out.insert(out.end(), t.steps.begin(), t.steps.end());
      return out;
    }
    const Json* schema = SchemaOfPath(p, e);
    if (schema == nullptr) return out;
    auto it = schema->find("enum");
    if (it == schema->end() || !it->is_array()) return out;
    for (const auto& v : *it) {
      if (!v.is_string()) return {};  // mixed enums: no text domain to check against
      out.push_back(v.get<std::string>());
    }
    return out;
  }

  // `event.verdict == 'positf'` can never hold: report the typo at load time.
  void CheckLiteralsAgainstDomain(const GuardNode& n, const YAML::Node& node, const EventType& e) {
    const GuardNode& left = *n.children[0];
    const GuardNode& right = *n.children[1];
    std::vector<const GuardNode*> literals;
    const GuardNode* path = nullptr;
    if (n.op == GuardOp::kIn) {
      path = &left;
      for (const auto& item : right.children) literals.push_back(item.get());
    } else if (left.op == GuardOp::kPath && right.op == GuardOp::kLiteral) {
      path = &left;
      literals.push_back(&right);
    } else if (right.op == GuardOp::kPath && left.op == GuardOp::kLiteral) {
      path = &right;
      literals.push_back(&left);
    }
    if (path == nullptr) return;
    std::vector<std::string> domain = DomainOf(*path, e);
    if (domain.empty()) return;
    for (const GuardNode* lit : literals) {
      if (!lit->literal.is_string()) continue;
      const std::string& text = lit->literal.get_ref<const std::string&>();
      if (std::find(domain.begin(), domain.end(), text) != domain.end()) continue;
      diag().Error(ColumnIn(node, lit->column), "impossible-value",
                   "'" + JoinPath(path->path) + "' can never be '" + text + "'", "'" + text + "'",
                   "one of " + JoinNames(domain), DidYouMean(text, domain));
    }
  }

  const Json* StateField(const std::string& field) { return SchemaAt(def_.state_schema, {field}, 0); }

  bool CheckStateTarget(const YAML::Node& key, const std::string& field, const std::string& what) {
    if (StateField(field)) return true;
    std::vector<std::string> declared;
    if (auto props = def_.state_schema.find("properties"); props != def_.state_schema.end())
      for (const auto& [k, v] : props->items()) declared.push_back(k);
    diag().Error(YamlReader::Loc(key), "unknown-field", what + " names a field not declared in the state schema",
                 "'" + field + "'",
                 declared.empty() ? "a field declared under state.properties" : "one of " + JoinNames(declared),
                 DidYouMean(field, declared));
    return false;
  }

  StateUpdate LoadUpdate(const YAML::Node& item, const EventType& e) {
    StateUpdate u;
    for (const std::string key : {"set", "append", "remove"}) {
      const YAML::Node m = item[key];
      if (!m.IsDefined()) continue;
      if (!reader_.ExpectMap(m, key, YamlReader::Loc(item))) continue;
      for (const auto& kv : m) {
        auto field = reader_.Identifier(kv.first, key + " field", YamlReader::Loc(m));
        if (!field || !CheckStateTarget(kv.first, *field, key)) continue;
        if (key != "set") {
          auto types = SchemaTypes(*StateField(*field));
          if (types != std::vector<std::string>{"array"}) {
            diag().Error(YamlReader::Loc(kv.first), "guard-type", key + " needs a list field",
                         "'" + *field + "' of type " + (types.empty() ? "any" : JoinNames(types)),
                         "a field of type array");
            continue;
          }
        }
        auto value = ParseGuardNode(kv.second, e, /*value=*/true);
        if (!value) continue;
        (key == "set" ? u.set : key == "append" ? u.append : u.remove).emplace_back(*field, std::move(*value));
      }
    }
    if (const YAML::Node un = item["unset"]; un.IsDefined()) {
      for (const auto& [field, at] : reader_.IdentifierList(un, "unset", YamlReader::Loc(item))) {
        if (!StateField(field)) {
          diag().Error(at, "unknown-field", "unset names a field not declared in the state schema", "'" + field + "'",
                       "a field declared under state.properties");
          continue;
        }
        u.unset.push_back(field);
      }
    }
    return u;
  }

  // partners: {join: <ids>, leave: <ids>}; people: {join: {subject: <ids>, role: <text>}, leave: <ids>}.
  MembershipUpdate LoadMembership(const YAML::Node& item, const EventType& e) {
    MembershipUpdate m;
    if (const YAML::Node p = item["partners"]; p.IsDefined() && reader_.ExpectMap(p, "partners", e.location)) {
      reader_.CheckKeys(p, {"join", "leave"}, "partners of '" + e.type + "'");
      if (p["join"].IsDefined()) m.partners_join = ParseGuardNode(p["join"], e, /*value=*/true);
      if (p["leave"].IsDefined()) m.partners_leave = ParseGuardNode(p["leave"], e, /*value=*/true);
    }
    if (const YAML::Node p = item["people"]; p.IsDefined() && reader_.ExpectMap(p, "people", e.location)) {
      reader_.CheckKeys(p, {"join", "leave"}, "people of '" + e.type + "'");
      if (const YAML::Node join = p["join"]; join.IsDefined() && reader_.ExpectMap(join, "people.join", e.location)) {
        reader_.CheckKeys(join, {"subject", "role"}, "people.join of '" + e.type + "'");
        if (!join["subject"].IsDefined() || !join["role"].IsDefined())
          diag().Error(YamlReader::Loc(join), "missing", "people.join needs who joins and their role",
                       "a map without subject or role", "{subject: event.personne, role: 'referent'}");
        else {
          m.people_join = ParseGuardNode(join["subject"], e, /*value=*/true);
          m.people_join_role = ParseGuardNode(join["role"], e, /*value=*/true);
        }
      }
      if (p["leave"].IsDefined()) m.people_leave = ParseGuardNode(p["leave"], e, /*value=*/true);
    }
    return m;
  }

  void LoadTransition(const YAML::Node& node, EventType& e) {
    if (!reader_.ExpectMap(node, "a transition", e.location)) return;
    reader_.CheckKeys(node, kTransitionKeys, "a transition");
    Transition t;
    t.location = YamlReader::Loc(node);
    if (const YAML::Node w = node["when"]; w.IsDefined()) {
      auto g = ParseGuardNode(w, e, false);
      if (!g) return;
      t.when = GuardClause{std::move(*g), Message{}, YamlReader::Loc(w)};
      if (const YAML::Node m = node["message"]; m.IsDefined())
        t.when->message = ReadMessage(reader_, m, t.location).value_or(Message{});
    }
    if (const YAML::Node to = node["to"]; to.IsDefined()) {
      auto id = reader_.Identifier(to, "to", t.location);
      if (!id || !CheckPhaseRef(*id, YamlReader::Loc(to), "transition of '" + e.type + "'")) return;
      t.to = *id;
    }
    t.update = LoadUpdate(node, e);
    if (const YAML::Node tr = node["tracks"]; tr.IsDefined() && reader_.ExpectMap(tr, "tracks", t.location)) {
      // Track moves happen in the phase the project is in after the transition.
      std::vector<std::string> phases = t.to ? std::vector<std::string>{*t.to} : PhasesAllowing(def_, e);
      auto parse_key = [&](const YAML::Node& key) { return ParseGuardNode(key, e, /*value=*/true); };
      LoadTrackMoves(track_ctx_, tr, phases, parse_key,
                     ExpressionScope{&def_.state_schema, &e.schema, &keyed_track_schemas_}, t);
    }
    links_.LoadSpawns(
        node["spawn"], e, [&](const YAML::Node& n) { return ParseGuardNode(n, e, /*value=*/true); }, &t.spawns);
    e.transitions.push_back(std::move(t));
  }

  void LoadTimers(const YAML::Node& node) {
    if (!node.IsDefined()) return;
    if (!reader_.ExpectList(node, "timers", {1, 1})) return;
    if (!reader_.WithinLimit(node, node.size(), limits_.max_timers, "too many timers")) return;
    for (const auto& item : node) LoadTimer(item);
  }

  void LoadTimer(const YAML::Node& item) {
    if (!reader_.ExpectMap(item, "a timer", {1, 1})) return;
    reader_.CheckKeys(item, kTimerKeys, "a timer");
    Timer t;
    t.location = YamlReader::Loc(item);
    auto id = reader_.Identifier(item["id"], "timer id", t.location);
    if (!id) return;
    t.id = *id;
    t.location = YamlReader::Loc(item["id"]);
    if (def_.FindTimer(t.id)) {
      diag().Error(t.location, "duplicate", "timer '" + t.id + "' is declared twice", "'" + t.id + "'",
                   "unique timer ids");
      return;
    }
    t.labels = LoadLabels(item["labels"], "labels of timer '" + t.id + "'", t.location);
    int kinds = 0;
    std::optional<std::pair<std::string, Loc>> at_field;  // `at: event.x` / `at: state.x`
    if (const YAML::Node after = item["after"]; after.IsDefined()) {
      ++kinds;
      t.kind = TimerKind::kAfter;
      if (auto text = reader_.String(after, "after", t.location)) {
        auto d = ParseIsoDuration(*text, limits_);
        if (!d.ok()) {
          diag().Error(YamlReader::Loc(after), "bad-duration", "bad duration", "'" + *text + "'",
                       "an ISO 8601 duration such as P12M, P30D, PT2H or P1Y6M", d.status().message());
        } else if (d->IsZero()) {
          diag().Error(YamlReader::Loc(after), "bad-duration", "a timer delay must be positive", "'" + *text + "'",
                       "a non-zero duration");
        } else {
          t.after = *d;
        }
      }
    }
    if (const YAML::Node at = item["at"]; at.IsDefined()) {
      ++kinds;
      t.kind = TimerKind::kAt;
      if (auto text = reader_.String(at, "at", t.location)) {
        if (LooksLikeFieldRef(*text))
          at_field = {*text, YamlReader::Loc(at)};  // checked once armed_on is known
        else if (auto date = ParseDate(*text); !date.ok())
          diag().Error(YamlReader::Loc(at), "bad-date", "bad date", "'" + *text + "'",
                       "YYYY-MM-DD, event.<field> or state.<field>", date.status().message());
        else
          t.at = *text;
      }
    }
    if (const YAML::Node n = item["times_per_year"]; n.IsDefined()) {
      ++kinds;
      t.kind = TimerKind::kRepeat;
      if (auto v = reader_.Integer(n, "times_per_year", t.location)) {
        if (*v < 1 || *v > limits_.max_times_per_year) {
          diag().Error(YamlReader::Loc(n), "out-of-range", "times_per_year out of range", std::to_string(*v),
                       "1 to " + std::to_string(limits_.max_times_per_year));
        } else {
          t.times_per_year = static_cast<int>(*v);
          // The period: whole months when 12 divides evenly, else days.
          if (12 % t.times_per_year == 0)
            t.after.months = 12 / t.times_per_year;
          else
            t.after.days = 365 / t.times_per_year;
        }
      }
    }
    if (const YAML::Node every = item["every"]; every.IsDefined()) {
      ++kinds;
      LoadTimerEvery(reader_, every, t);
    }
    if (kinds != 1)
      diag().Error(t.location, "timer-kind", "a timer needs exactly one of after, at, every, times_per_year",
                   std::to_string(kinds) + " of them", "exactly one");
    if (const YAML::Node armed = item["armed_on"]; reader_.ExpectMap(armed, "armed_on", t.location)) {
      reader_.CheckKeys(armed, {"phase", "event"}, "armed_on");
      if (armed["phase"].IsDefined() == armed["event"].IsDefined())
        diag().Error(YamlReader::Loc(armed), "timer-arming", "armed_on needs exactly one of phase or event",
                     YamlReader::Describe(armed), "armed_on: {phase: <id>} or armed_on: {event: <type>}");
      if (const YAML::Node p = armed["phase"]; p.IsDefined())
        if (auto pid = reader_.Identifier(p, "armed_on phase", t.location);
            pid && CheckPhaseRef(*pid, YamlReader::Loc(p), "timer '" + t.id + "'"))
          t.on_enter_phase = *pid;
      if (const YAML::Node ev = armed["event"]; ev.IsDefined())
        if (auto type = reader_.Identifier(ev, "armed_on event", t.location);
            type && CheckEventRef(*type, YamlReader::Loc(ev), /*allow_created=*/true))
          t.on_event = *type;
    }
    if (auto fires = reader_.Identifier(item["fires"], "fires", t.location);
        fires && CheckEventRef(*fires, YamlReader::Loc(item["fires"]))) {
      t.fires = *fires;
      // The runtime fires timers as role "system"; the event must accept it.
      for (auto& e : def_.events)
        if (e.type == t.fires && std::find(e.roles.begin(), e.roles.end(), kSystemRole) == e.roles.end())
          e.roles.emplace_back(kSystemRole);
    }
    if (const YAML::Node until = item["until"]; until.IsDefined()) {
      auto v = reader_.String(until, "until", t.location);
      if (v && *v == "phase_end")
        t.cancel_on_phase_exit = true;
      else if (v && *v == "project_end")
        t.cancel_on_phase_exit = false;
      else if (v)
        diag().Error(YamlReader::Loc(until), "bad-value", "unknown timer lifetime", "'" + *v + "'",
                     "phase_end or project_end", DidYouMean(*v, {"phase_end", "project_end"}));
    }
    if (const YAML::Node policy = item["on_suspend"]; policy.IsDefined()) LoadTimerOnSuspend(reader_, policy, t);
    if (at_field) LoadTimerAtField(reader_, def_, at_field->first, at_field->second, t);
    def_.timers.push_back(std::move(t));
  }

  bool CheckEventRef(const std::string& type, Loc at, bool allow_created = false) {
    if (def_.FindEvent(type) || (allow_created && type == kCreatedEventType)) return true;
    diag().Error(at, "unknown-event", "unknown event type", "'" + type + "'", "one of " + JoinNames(def_.EventTypes()),
                 DidYouMean(type, def_.EventTypes()));
    return false;
  }

  const WorkflowLimits& limits_;
  LoadResult result_;
  YamlReader reader_;
  WorkflowDefinition def_;
  LinkLoader links_{reader_, def_,
                    [this](const YAML::Node& n, const std::string& what, Loc at) { return LoadLabels(n, what, at); }};
  Json keyed_track_schemas_ = Json::object();  // KeyedTrackSchemas(def_), once the phases are loaded
  TrackLoadContext track_ctx_{
      reader_, def_, [this](const YAML::Node& n, const std::string& what, Loc at) { return LoadLabels(n, what, at); }};
};

}  // namespace

LoadResult LoadWorkflowWithDiagnostics(std::string_view text, std::string_view file_name, const WorkflowLimits& limits,
                                       const LinkedWorkflows& linked) {
  Loader loader{std::string(file_name), limits, linked};
  return loader.Run(text);
}

StatusOr<WorkflowDefinition> LoadWorkflow(std::string_view text, std::string_view file_name,
                                          const WorkflowLimits& limits) {
  LoadResult r = LoadWorkflowWithDiagnostics(text, file_name, limits);
  if (!r.definition) {
    std::string message;
    for (const auto& d : r.diagnostics.items())
      if (d.severity == Severity::kError) message += d.ToString() + "\n";
    if (!message.empty()) message.pop_back();
    return InvalidArgument(message);
  }
  return std::move(*r.definition);
}

StatusOr<WorkflowDefinition> LoadWorkflowFile(const std::string& path, const WorkflowLimits& limits) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("can not read workflow file " + path);
  std::ostringstream buf;
  // Read one byte past the limit so an oversized file is reported, not truncated.
  std::string text(limits.max_file_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  std::string name = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
  return LoadWorkflow(text, name, limits);
}

}  // namespace relais::workflow
