// WorkflowDefinition: a loaded, validated workflow file (the "method" a
// coordinator describes in YAML). Produced only by LoadWorkflow (loader.h),
// so every phase, role, field and timer it names is known to exist.
// Language reference: docs/workflow-language.md.
//
// Thread-safety: immutable after loading; safe to share between threads.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/util/json.h"
#include "engine/workflow/diagnostics.h"
#include "engine/workflow/duration.h"
#include "engine/workflow/guard.h"
#include "engine/workflow/json_schema.h"

namespace relais::workflow {

struct Labels {
  std::string fr;
  std::string en;
};

// A parallel track inside a phase (e.g. in mobilisation: partners, publics
// and funding move at the same time, each through its own steps).
struct Track {
  std::string id;
  Labels labels;
  std::vector<std::string> steps;  // first = where the track starts on entering the phase
  SourceLocation location;
  // A keyed track (keyed_tracks.h): one track per key of the state list
  // `keyed_by` (its texts, or each item's `key_field`). Empty: a fixed track.
  std::string keyed_by;
  std::string key_field;
  bool keep = false;                          // its steps stay readable after its phase ends
  std::map<std::string, Labels> step_labels;  // optional words for the steps
  bool keyed() const { return !keyed_by.empty(); }
};

// A transition's move of one key of a keyed track: track[key] <- step.
struct KeyedTrackMove {
  std::string track;
  Guard key;  // a value expression giving the key (a text), evaluated before the event
  std::string step;
  SourceLocation location;
};

struct Phase {
  std::string id;
  Labels labels;
  bool terminal = false;
  // The key of the project's plan ("planned_years": {"montage": 2004}) that
  // says when this phase is due, so lateness is visible.
  std::optional<std::string> planned_year_key;
  std::vector<Track> tracks;
  SourceLocation location;
};

// The explanation a refusal shows (`message:` of a guard or a transition):
// one text for every language, or a text per language ({fr, en}).
struct Message {
  std::string fr;  // both empty: no message
  std::string en;
  bool per_language = false;  // written {fr, en} (else one text, copied into both)
  bool empty() const { return fr.empty() && en.empty(); }
  const std::string& In(std::string_view lang) const { return lang == "en" ? en : fr; }
  // As the file wrote it, for the canonical form: the text, or {"fr", "en"}.
  Json ToCanonicalJson() const;
  // {"fr": ..., "en": ...} (the one text in both).
  Json ToJson() const;
};

// A guard with the text it came from, for refusals.
struct GuardClause {
  Guard guard;
  Message message;  // optional human explanation ("a porteur must be identified first")
  SourceLocation location;
};

// Changes to the project's state fields.
struct StateUpdate {
  std::vector<std::pair<std::string, Guard>> set;     // field <- value expression
  std::vector<std::pair<std::string, Guard>> append;  // array field gets value appended
  std::vector<std::pair<std::string, Guard>> remove;  // array field loses every element equal to value
  std::vector<std::string> unset;                     // fields removed
  bool empty() const { return set.empty() && append.empty() && remove.empty() && unset.empty(); }
};

// A project a transition creates (`spawn:`): of workflow `workflow`, linked
// both ways to the project it comes from under `link`, its title and fields
// computed from the event and the state when the transition is decided.
struct SpawnSpec {
  std::string workflow;
  std::string link;                                   // names the relation on both sides
  std::optional<Guard> title;                         // a text; required
  std::optional<Guard> programme;                     // a text; absent = the spawning project's programme
  std::string phase;                                  // initial phase of the new project; empty = its first
  std::vector<std::pair<std::string, Guard>> fields;  // its initial state fields
  SourceLocation location;
};

// One candidate outcome of an event; the first whose `when` holds is taken.
struct Transition {
  std::optional<GuardClause> when;  // absent = always
  std::optional<std::string> to;    // absent = stay in the current phase
  StateUpdate update;
  std::map<std::string, std::string> track_moves;  // track id -> step, in the current phase
  std::vector<KeyedTrackMove> keyed_track_moves;   // keyed tracks: one key each
  std::vector<SpawnSpec> spawns;                   // projects created when this transition is taken
  SourceLocation location;
};

// A kind of sub-item (`children:`): projects of workflow `workflow` created
// under a project of this one, each with its own lifecycle. The parent's
// guards count them (project.children.<id>.total / .open / .phases.<phase>).
struct ChildKind {
  std::string id;
  Labels labels;
  std::string workflow;
  // `visibility: parent` (default): whoever sees the parent sees the child;
  // `own`: only the child's own partners and members.
  bool inherit_visibility = true;
  SourceLocation location;
};

enum class Suspension { kNone, kSuspend, kResume };

// Who joins or leaves the project when an event is accepted (`partners:` and
// `people:` of an event). Each expression gives an id or a list of ids.
struct MembershipUpdate {
  std::optional<Guard> partners_join;
  std::optional<Guard> partners_leave;
  std::optional<Guard> people_join;       // the subjects of the people joining
  std::optional<Guard> people_join_role;  // their role on the project (a text)
  std::optional<Guard> people_leave;
  bool empty() const { return !partners_join && !partners_leave && !people_join && !people_leave; }
};

struct EventType {
  std::string type;
  Labels labels;
  Json schema = Json::object();  // JSON Schema (draft 7) for the event's data, as written
  // `schema` compiled once by the loader; null only in a definition not built by it.
  std::shared_ptr<const CompiledSchema> compiled_schema;
  std::vector<std::string> roles;
  // Phases where it is accepted. any_open_phase: every non-terminal phase.
  std::vector<std::string> phases;
  bool any_open_phase = false;
  bool allowed_while_suspended = false;
  Suspension suspension = Suspension::kNone;
  std::vector<GuardClause> preconditions;  // `requires:`; all must hold, else the command is refused
  StateUpdate update;                      // applied whatever the transition
  MembershipUpdate membership;             // applied whatever the transition
  std::vector<Transition> transitions;     // empty = stay
  std::vector<std::string> notify;         // notification topics announced to partners
  SourceLocation location;
};

enum class TimerKind { kAfter, kAt, kRepeat };

// What a suspension does to a running timer (`on_suspend:`): keep it running
// (the default), pause it (the time left is kept and runs again on
// resumption) or cancel it.
enum class TimerSuspendPolicy { kKeep, kPause, kCancel };

struct Timer {
  std::string id;
  Labels labels;
  TimerKind kind = TimerKind::kAfter;
  IsoDuration after;       // kAfter: delay after arming; kRepeat: the period
  std::string at;          // kAt: "YYYY-MM-DD"
  std::string at_field;    // kAt from a date field instead: "event.<f>" or "state.<f>"
  int times_per_year = 0;  // kRepeat: 0 when the period is written as `every:`
  TimerSuspendPolicy on_suspend = TimerSuspendPolicy::kKeep;
  std::optional<std::string> on_enter_phase;  // armed on entering this phase
  std::optional<std::string> on_event;        // or when this event is accepted
  std::string fires;                          // the event type it fires (with role "system")
  // Cancelled when the phase it was armed in ends; false = lives until a terminal phase.
  bool cancel_on_phase_exit = true;
  SourceLocation location;
};

inline constexpr std::string_view kSystemRole = "system";

// The built-in roles; files may declare more under `roles:`.
const std::vector<std::string>& BuiltinRoles();

struct WorkflowDefinition {
  std::string name;
  int version = 1;
  Labels labels;
  std::vector<std::string> roles;  // built-in + declared
  Json state_schema = Json::object();
  std::shared_ptr<const CompiledSchema> compiled_state_schema;  // state_schema compiled by the loader
  std::vector<Phase> phases;
  std::vector<std::string> initial_phases;  // a project may be created in any of these; first = default
  std::vector<std::string> creator_roles;   // `created_by:`; the loader fills CreatorRoles() when absent
  bool creator_roles_declared = false;      // the file says created_by (only then is it in the content hash)
  std::vector<EventType> events;
  std::vector<Timer> timers;
  std::vector<ChildKind> children;  // `children:`: the sub-items a project of this workflow holds
  std::string file_name;
  // SHA-256 (hex) of the canonical JSON form: the definition's version id.
  std::string content_hash;

  const Phase* FindPhase(std::string_view id) const;
  const EventType* FindEvent(std::string_view type) const;
  const Timer* FindTimer(std::string_view id) const;
  const ChildKind* FindChildKind(std::string_view id) const;
  std::vector<std::string> PhaseIds() const;
  std::vector<std::string> EventTypes() const;
};

// The canonical JSON form of a definition: sorted keys, guards as their
// source text, no source locations. Two files that differ only in layout,
// comments or key order have the same canonical form.
Json CanonicalJson(const WorkflowDefinition& def);

// Lower-case hex SHA-256 of DumpJson(CanonicalJson(def)).
std::string ContentHash(const WorkflowDefinition& def);

}  // namespace relais::workflow
