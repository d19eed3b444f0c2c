// Effects: what an accepted event changed, as the decision resolved it
// (phase, tracks, fields, suspension, timers). Events are recorded with
// their effects, so replaying a history applies them and never re-evaluates
// a guard (docs/workflow-language.md, "Recorded events"). Typed here; JSON
// only where an event is stored or shown (ToJson / FromJson, which reads what
// every earlier version wrote and ignores members it does not know).
//
// Thread-safety: plain values.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/util/clock.h"
#include "engine/util/json.h"
#include "engine/util/status.h"

namespace relais::workflow {

struct PhaseChange {
  std::optional<std::string> from;  // absent at creation
  std::string to;
  friend bool operator==(const PhaseChange&, const PhaseChange&) = default;
};

struct TimerEffects {
  std::map<std::string, std::string> armed;  // timer id -> the phase it was armed in
  std::vector<std::string> cancelled;
  std::vector<std::string> fired;  // one-shot timers disarmed by their firing
  // `on_suspend: pause` timers stopped by the suspension (or armed while
  // suspended) -> the time they had left, in seconds. The decision lists
  // them with 0; the runtime, which reads the clock, writes the time left.
  std::map<std::string, int64_t> paused;
  std::vector<std::string> resumed;  // paused timers running again (the project resumed)
  // When each timer this event armed, resumed or moved to its next
  // occurrence falls due: written by the runtime when it schedules them
  // (absent from events recorded before due dates were).
  std::map<std::string, TimePoint> due;
  bool empty() const {
    return armed.empty() && cancelled.empty() && fired.empty() && paused.empty() && resumed.empty() && due.empty();
  }
  friend bool operator==(const TimerEffects&, const TimerEffects&) = default;
};

// Who joined or left the project with the event (an event's `partners:` and
// `people:`). Applied by the runtime to the project's partners and members
// (runtime::ProjectInfo), not to the workflow state: from the next event on,
// visibility and webhooks follow.
struct PersonJoining {
  std::string subject;
  std::string role;
  friend bool operator==(const PersonJoining&, const PersonJoining&) = default;
};

struct MembershipEffects {
  std::vector<std::string> partners_joined;
  std::vector<std::string> partners_left;
  std::vector<PersonJoining> people_joined;
  std::vector<std::string> people_left;
  bool empty() const {
    return partners_joined.empty() && partners_left.empty() && people_joined.empty() && people_left.empty();
  }
  friend bool operator==(const MembershipEffects&, const MembershipEffects&) = default;
};

// A project created by the event (a transition's `spawn:`), resolved by the
// decision: what to create and the link to it. project_id is left empty by
// the decision and set by the runtime (derived from the event's id, so a
// re-sent or replayed spawn names the same project) before it is recorded.
struct SpawnEffect {
  std::string project_id;
  std::string workflow;
  std::string link;
  std::string title;
  std::optional<std::string> programme;  // absent: the spawning project's
  std::string phase;                     // empty: the new workflow's first initial phase
  Json fields = Json::object();
  Json ToJson() const;
  static StatusOr<SpawnEffect> FromJson(const Json& json);
  friend bool operator==(const SpawnEffect&, const SpawnEffect&) = default;
};

// What happened to one keyed track (keyed_tracks.h): it ended (its phase
// ended and it is not kept), or it started anew (its phase was entered:
// earlier steps are dropped), then keys left and steps were set.
struct KeyedTrackChange {
  bool ends = false;
  bool starts = false;
  std::map<std::string, std::string> steps;  // key -> step
  std::vector<std::string> left;             // keys that left the keying list
  friend bool operator==(const KeyedTrackChange&, const KeyedTrackChange&) = default;
};

struct Effects {
  std::optional<PhaseChange> phase;
  // The steps of tracks that moved; on entering a phase, every track of the
  // new phase (recorded even when empty: the old phase's tracks end).
  std::optional<std::map<std::string, std::string>> tracks;
  std::map<std::string, KeyedTrackChange> keyed_tracks;  // keyed track id -> its change
  Json set = Json::object();                             // field -> its final value
  Json append = Json::object();                          // list field -> the items added at its end
  std::vector<std::string> unset;                        // fields removed
  std::optional<bool> suspended;
  TimerEffects timers;
  MembershipEffects membership;
  std::vector<SpawnEffect> spawned;

  // {"phase": {"from", "to"}, "tracks": {...}, "set": {...}, "append": {...},
  //  "unset": [...], "suspended": b,
  //  "timers": {"armed", "cancelled", "fired", "paused": {id: seconds}, "resumed", "due": {id: ISO 8601}},
  //  "partners": {"joined": [...], "left": [...]},
  //  "people": {"joined": [{"subject", "role"}...], "left": [...]},
  //  "spawned": [{"project", "workflow", "link", "title", "programme", "phase", "fields"}],
  //  "keyed_tracks": {"<track>": {"ends": true} | {"starts"?: true, "steps": {...}, "left": [...]}}};
  // members without content are left out.
  Json ToJson() const;
  // DumpJson(ToJson()) appended to out, written without building the tree
  // (each recorded event is serialized once, on the command path).
  void AppendJsonText(std::string& out) const;
  // kCorruption naming the member for a malformed one.
  static StatusOr<Effects> FromJson(const Json& json);
  friend bool operator==(const Effects&, const Effects&) = default;
};

}  // namespace relais::workflow
