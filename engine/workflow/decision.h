// The decision function: given a workflow definition, a project's current
// state and a command, decide which events to append (with their effects),
// which timers to arm or cancel and which notification topics to announce,
// or refuse with a structured reason. Pure: no I/O, no clock, no randomness;
// the runtime persists what it returns.
//
// Thread-safety: pure functions over immutable inputs; safe from any thread.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "engine/util/json.h"
#include "engine/workflow/definition.h"
#include "engine/workflow/project_state.h"

namespace relais::workflow {

// The type under which project creation is recorded.
inline constexpr std::string_view kProjectCreated = "project_created";

struct Command {
  std::string event_type;
  Json data = Json::object();  // null is treated as {}
  std::vector<std::string> actor_roles;
  // Set by the runtime when a due timer fires this command (roles = {"system"}).
  std::optional<std::string> fired_by_timer;
  // Who acts, as guards read it (actor.subject, actor.partner; actor.roles = actor_roles).
  std::string actor_subject;
  std::optional<std::string> actor_partner;  // the partner the actor acts for, if any
  // What guards read as project.children: {"<kind>": {"total": n, "open": n,
  // "phases": {"<phase>": n}}} for each kind the workflow declares, counted
  // by the runtime from the children's index. null: the workflow has none.
  const Json* children = nullptr;
};

// A project creation: which initial phase, initial state fields.
struct CreateCommand {
  std::string initial_phase;  // empty = the definition's first initial phase
  Json fields = Json::object();
  std::vector<std::string> actor_roles;
};

// The roles that may create projects of a workflow whose file has no
// `created_by:` (WorkflowDefinition::creator_roles holds the file's list).
const std::vector<std::string>& CreatorRoles();

enum class RefusalCode {
  kNotCreated,           // the project does not exist yet
  kAlreadyCreated,       // creating twice
  kUnknownEventType,     // the workflow has no such event
  kUnknownPhase,         // creation in a phase that is not an initial phase
  kRoleNotAllowed,       // none of the actor's roles may fire it
  kNotAllowedInPhase,    // the current phase does not accept it
  kSuspended,            // the project is suspended and the event is not allowed then
  kNotSuspended,         // resuming a project that is not suspended
  kAlreadySuspended,     // suspending a suspended project
  kInvalidData,          // the data does not match the event's schema
  kGuardFailed,          // a `requires` guard is false
  kNoTransitionMatched,  // no transition's `when` holds
  kInvalidState,         // the resulting state would not match the state schema
  kTimerNotArmed,        // a timer fired that is not armed (stale)
  kExpressionError,      // a guard or a set:/append: value can not be computed (division by zero, overflow...)
  kSpawnRefused,         // a project the transition spawns could not be created (set by the runtime)
  kTimerDateInvalid,     // a timer's `at:` field is missing or not a date when the timer is armed
  kUnknownTrackKey,      // a keyed track move names a key that is not in the track's list
};

// "guard_failed", ...: stable names for the HTTP layer and logs.
std::string_view RefusalCodeName(RefusalCode code);

// Why a command was refused. details is JSON for a problem+json body, e.g.
// {"guard": "exists(state.porteur)", "values": {"state.porteur": null}}.
// message is the file's own words when the rule has a `message:` (French
// first), else English; messages holds the file's words in both languages
// (guard_failed, no_transition_matched; invalid_data and invalid_state word
// their first schema violations, violation_words.h; empty otherwise).
struct Refusal {
  RefusalCode code;
  std::string message;
  Json details = Json::object();
  Message messages;
  Json ToJson() const;  // {"code", "message", "details"} and "messages" ({fr, en}) when there are
};

struct TimerToArm {
  std::string timer_id;
  std::string fires;  // the event type to fire when due
  TimerKind kind = TimerKind::kAfter;
  IsoDuration delay;       // kAfter: after arming; kRepeat: the period
  std::string at;          // kAt: "YYYY-MM-DD"
  int times_per_year = 0;  // kRepeat
  std::string phase;       // the phase it is armed in (cancelled when it ends, if so declared)
};

struct Decision {
  std::vector<RecordedEvent> events;  // to append, in order
  std::vector<TimerToArm> arm;        // an already armed timer is re-armed (its due time restarts)
  std::vector<std::string> cancel;    // timer ids
  // `on_suspend: pause` timers to stop, keeping the time they have left
  // (also those `arm` starts while the project is suspended).
  std::vector<std::string> pause;
  std::vector<TimerToArm> resume;   // paused timers to run again for the time they had left
  std::vector<std::string> notify;  // topics, without duplicates
  ProjectState next;                // the state after folding `events` (not filled by DecideChange)
};

using DecisionOrRefusal = std::variant<Decision, Refusal>;

// Decides a command on an existing project.
DecisionOrRefusal Decide(const WorkflowDefinition& def, const ProjectState& state, const Command& command);

// The same without folding the events into Decision::next, which stays
// empty: the caller folds them in place (ApplyEventInPlace) once they are
// recorded, so a command costs its change and not a copy of the state.
DecisionOrRefusal DecideChange(const WorkflowDefinition& def, const ProjectState& state, const Command& command);

// Whether timer_id is armed once d's events are folded into `before`.
bool ArmedAfter(const ProjectState& before, const Decision& d, const std::string& timer_id);

// Decides the creation of a project (state must be the empty state).
DecisionOrRefusal DecideCreate(const WorkflowDefinition& def, const ProjectState& state, const CreateCommand& command);

}  // namespace relais::workflow
