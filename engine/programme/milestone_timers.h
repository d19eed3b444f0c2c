// Milestone timers. A scheduled milestone has one pending timer, for its next
// stage: the reminder (some days before), the due event, the escalation (some
// days after, when the review was not held). Each timer carries the
// milestone's payload (kind, date, due time, person, axis) and the programme
// keeps a small head record (title, active coordinators) beside its stream,
// so firing a timer needs neither the programme's events nor its folded state:
// a burst of thousands of reminders costs a few key reads and one append per
// programme (docs/programmes.md, "How milestones fire").
//
// Thread-safety: stateless functions.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/programme/programme.h"
#include "engine/runtime/timer_keys.h"

namespace relais::programme {

enum class MilestoneStage { kReminder, kDue, kOverdue, kDone };

struct StageDelays {
  std::chrono::days reminder{7};     // the reminder, before the milestone
  std::chrono::days escalation{14};  // the escalation, after it
};

// The stage of a milestone's next timer, from its flags (kDone: none).
MilestoneStage NextStage(const Milestone& m);
// The stage a timer's `fires` names; nullopt when it is not a milestone stage.
std::optional<MilestoneStage> StageOfFires(std::string_view fires);
// The event a stage's firing records: reminder_sent, milestone_due, milestone_overdue.
std::string_view FiringEventType(MilestoneStage stage);

// What a milestone's timers carry: {"kind", "date", "due", "person"?, "axis"?}.
Json MilestonePayload(const Milestone& m);

// The timer of a milestone's stage; nullopt for kDone.
std::optional<runtime::DueTimer> MilestoneTimer(std::string_view stream, std::string_view milestone_id,
                                                MilestoneStage stage, TimePoint milestone_due, Json payload,
                                                StageDelays delays);
// The stage after the one `timer` fires, from its payload alone; nullopt when
// none follows. Errors: kCorruption when the payload has no valid "due".
StatusOr<std::optional<runtime::DueTimer>> FollowingTimer(const runtime::DueTimer& timer, StageDelays delays);

// The data of the event a milestone timer records: the payload with the
// milestone's id and the people told (NotifyList).
// Errors: kCorruption when the payload lacks kind, date or due.
StatusOr<Json> FiringData(std::string_view milestone_id, const Json& payload,
                          const std::vector<std::string>& coordinators);

// The head record of a programme: what firing needs besides the payloads.
struct ProgrammeHead {
  std::string title;
  std::vector<std::string> coordinators;
};
std::string HeadKey(std::string_view programme_id);
std::string HeadJson(const ProgrammeState& state);
// Errors: kCorruption.
StatusOr<ProgrammeHead> ParseHead(std::string_view text);

}  // namespace relais::programme
