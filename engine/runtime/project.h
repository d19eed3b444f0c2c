// A project as the runtime sees it: who and what it is (ProjectInfo, set at
// registration), where it stands in its workflow (workflow::ProjectState) and
// its stream version. Rebuilt by folding its stored events with ApplyStored.
//
// A project's stream ("project-<id>") starts with two events appended
// atomically: `project_registered` (the runtime's: workflow version, title,
// programme, axis, partners, planned years) and the workflow's
// `project_created`. Workflow events are stored with data
// {"data": <command data>, "effects": <resolved effects>} (docs/runtime.md).
//
// Thread-safety: plain values; functions are pure.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/store/event.h"
#include "engine/util/json.h"
#include "engine/util/status.h"
#include "engine/workflow/definition.h"
#include "engine/workflow/project_state.h"

namespace relais::runtime {

inline constexpr std::string_view kProjectRegistered = "project_registered";
inline constexpr std::string_view kWorkflowMigrated = "workflow_migrated";
// A runtime event replacing ProjectInfo::members: data {"members": [{subject, role}]}.
inline constexpr std::string_view kProjectMembersChanged = "project_members_changed";
// A runtime event replacing ProjectInfo::partners: data {"partners": [ids]}.
inline constexpr std::string_view kProjectPartnersChanged = "project_partners_changed";
// An action's title, axis or planned years changed by a coordinator (data:
// the new values of those that changed).
inline constexpr std::string_view kProjectDetailsChanged = "project_details_changed";
// A runtime event recorded once when a project is still in a phase after that
// phase's planned year: data {"phase", "planned_year"}. Changes no state.
inline constexpr std::string_view kProjectLate = "project_late";
inline constexpr std::string_view kProjectStreamPrefix = "project-";

// Who acts: the authenticated subject and its roles (never from a request body).
struct Actor {
  std::string subject;
  std::vector<std::string> roles;
  std::string partner;  // the partner a partner token acts for; empty = none (guards read actor.partner)
};

// A person taking part in a project (an élu or référent, say): the
// authenticated subject of their token and their role on this project.
struct ProjectMember {
  std::string subject;
  std::string role;
  friend bool operator==(const ProjectMember&, const ProjectMember&) = default;
};

// Finds the definition a hash names; nullptr when unknown.
using DefinitionLookup = std::function<const workflow::WorkflowDefinition*(const std::string& hash)>;

// How a project is linked to another: the parent of a sub-item (`children:`
// of the parent's workflow; `link` is the kind of children), or the project
// whose transition spawned it (`link` is the spawn's link, `event` the
// spawning event's id).
struct ProjectLink {
  std::string project;  // empty: no link
  std::string link;
  std::string event;  // spawned: the event that created it
  bool empty() const { return project.empty(); }
  Json ToJson() const;
  friend bool operator==(const ProjectLink&, const ProjectLink&) = default;
};

struct ProjectInfo {
  std::string id;
  std::string title;
  std::string programme;  // may be empty
  std::string axis;       // may be empty
  std::vector<std::string> partners;
  std::map<std::string, int> planned_years;  // phase id -> planned year
  std::string workflow;                      // workflow name
  std::string workflow_hash;                 // the definition version it runs on
  std::vector<ProjectMember> members;        // people taking part (may be empty)
  ProjectLink parent;                        // a sub-item's parent project
  // Whoever sees the parent sees this sub-item (the parent's `children:`
  // says visibility: parent); read with the parent's partners at access time.
  bool inherit_visibility = false;
  ProjectLink origin;  // the project whose transition spawned this one

  // True if subject is one of members.
  bool HasMember(std::string_view subject) const;
  // [{"subject", "role"}...] and back (kCorruption when malformed).
  static Json MembersToJson(const std::vector<ProjectMember>& members);
  static StatusOr<std::vector<ProjectMember>> MembersFromJson(const Json& json);
  Json ToJson() const;
  static StatusOr<ProjectInfo> FromJson(const Json& json);
};

struct Project {
  ProjectInfo info;
  workflow::ProjectState state;
  uint64_t version = 0;  // the stream version folded so far
  TimePoint created_at{};
  TimePoint updated_at{};
  TimePoint phase_since{};  // when the current phase was entered
  // A kProjectLate event is recorded for this stay in the phase (folded:
  // set by the event, cleared by a change of phase).
  bool late_recorded = false;

  // Late: still in a non-terminal phase after that phase's planned year
  // (year of `now`, UTC; the plan key is the phase's `planned_year` in the
  // workflow, else its id).
  bool IsLate(const DefinitionLookup& definitions, TimePoint now) const;
  // How late, in years (now's year minus the phase's planned year, >= 1);
  // nullopt when not late. One year late is not five.
  std::optional<int> LateByYears(const DefinitionLookup& definitions, TimePoint now) const;
  Json ToJson() const;
  static StatusOr<Project> FromJson(const Json& json);
};

std::string ProjectStream(std::string_view project_id);
// Project ids follow the one id pattern (util/ids.h: [A-Za-z0-9][A-Za-z0-9._-]{0,127}).
// kInvalidArgument otherwise.
Status ValidateProjectId(std::string_view project_id);

// Applies who joined and left with a workflow event (its `partners:` and
// `people:`) to the project's partners and members: a partner or person
// joins once (a person joining again takes the new role), leaving one who
// is not there changes nothing.
void ApplyMembership(const workflow::MembershipEffects& membership, ProjectInfo& info);

// The store's form of a workflow event, and back.
NewEvent ToStoredEvent(const workflow::RecordedEvent& event, std::string event_id, const Actor& actor);

// The kProjectLate event of a project of `info` that is in `phase` at now,
// when that phase is late (Project::IsLate's rule); nullopt otherwise.
std::optional<NewEvent> LateEvent(const ProjectInfo& info, const std::string& phase,
                                  const DefinitionLookup& definitions, TimePoint now, std::string event_id);
StatusOr<workflow::RecordedEvent> FromStoredEvent(const RecordedEvent& stored);

// Folds one stored event into project. kCorruption / kFailedPrecondition
// when the event does not fit (the history is then not this runtime's).
Status ApplyStored(const DefinitionLookup& definitions, Project& project, const RecordedEvent& stored);

}  // namespace relais::runtime
