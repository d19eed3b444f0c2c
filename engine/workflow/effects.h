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
  bool empty() const { return armed.empty() && cancelled.empty() && fired.empty(); }
  friend bool operator==(const TimerEffects&, const TimerEffects&) = default;
};

struct Effects {
  std::optional<PhaseChange> phase;
  // The steps of tracks that moved; on entering a phase, every track of the
  // new phase (recorded even when empty: the old phase's tracks end).
  std::optional<std::map<std::string, std::string>> tracks;
  Json set = Json::object();       // field -> its final value
  Json append = Json::object();    // list field -> the items added at its end
  std::vector<std::string> unset;  // fields removed
  std::optional<bool> suspended;
  TimerEffects timers;

  // {"phase": {"from", "to"}, "tracks": {...}, "set": {...}, "append": {...},
  //  "unset": [...], "suspended": b, "timers": {"armed", "cancelled", "fired"}};
  // members without content are left out.
  Json ToJson() const;
  // kCorruption naming the member for a malformed one.
  static StatusOr<Effects> FromJson(const Json& json);
  friend bool operator==(const Effects&, const Effects&) = default;
};

}  // namespace relais::workflow
