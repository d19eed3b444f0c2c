#include "engine/runtime/timer_schedule.h"

#include <algorithm>
#include <map>

#include "engine/runtime/timer_writes.h"

namespace relais::runtime {
namespace {

bool Listed(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// Whole seconds from now until due, rounded up (a paused timer never fires
// early), 0 when already due.
int64_t SecondsLeft(TimePoint due, TimePoint now) {
  if (due <= now) return 0;
  return std::chrono::ceil<std::chrono::seconds>(due - now).count();
}

// The next occurrence of a repeating timer after its firing: occurrences
// missed while the server was down fire once.
DueTimer NextOccurrence(const DueTimer& fired, TimePoint now) {
  DueTimer next = fired;
  do next.due = workflow::AddDuration(next.due, next.period);
  while (next.due <= now && !next.period.IsZero());
  return next;
}

DueTimer Resumed(const std::string& project_id, const workflow::TimerToArm& arm, int64_t seconds_left, TimePoint now) {
  DueTimer t;
  t.project_id = project_id;
  t.timer_id = arm.timer_id;
  t.fires = arm.fires;
  t.repeating = arm.kind == workflow::TimerKind::kRepeat;
  if (t.repeating) t.period = arm.delay.IsZero() ? PeriodOf(arm.times_per_year) : arm.delay;
  t.due = now + std::chrono::seconds(std::max<int64_t>(0, seconds_left));
  return t;
}

}  // namespace

Status ScheduleDecidedTimers(EventStore& store, const std::string& project_id, const workflow::ProjectState& before,
                             workflow::Decision& decision, const std::optional<DueTimer>& firing, TimePoint now,
                             KvWrites& writes) {
  TimerWrites timers(store, writes);
  std::map<std::string, DueTimer> scheduled;  // what this batch leaves armed
  if (firing) {
    // A firing whose entry was replaced meanwhile leaves the newer entry armed.
    RELAIS_RETURN_IF_ERROR(timers.Consume(*firing).status());
    const bool still_armed = workflow::ArmedAfter(before, decision, firing->timer_id);
    const bool rearmed = std::any_of(decision.arm.begin(), decision.arm.end(),
                                     [&](const auto& a) { return a.timer_id == firing->timer_id; });
    if (firing->repeating && still_armed && !Listed(decision.cancel, firing->timer_id) && !rearmed)
      scheduled[firing->timer_id] = NextOccurrence(*firing, now);
  }
  for (const std::string& timer_id : decision.cancel) {
    RELAIS_RETURN_IF_ERROR(timers.Cancel(project_id, timer_id));
    scheduled.erase(timer_id);
  }
  for (const auto& arm : decision.arm) {
    RELAIS_ASSIGN_OR_RETURN(DueTimer t, ScheduleTimer(project_id, arm, now));
    scheduled[arm.timer_id] = std::move(t);
  }
  for (const auto& arm : decision.resume) {
    auto left = before.paused_timers.find(arm.timer_id);
    scheduled[arm.timer_id] = Resumed(project_id, arm, left == before.paused_timers.end() ? 0 : left->second, now);
  }
  if (decision.events.empty()) return Status::Ok();
  workflow::TimerEffects& stamps = decision.events.back().effects.timers;
  for (const std::string& timer_id : decision.pause) {
    // The due time it had: scheduled by this batch, else its stored entry,
    // else what the history recorded; unknown (a timer armed before due
    // times were kept and whose entry is gone) pauses with nothing left.
    TimePoint due = now;
    if (auto it = scheduled.find(timer_id); it != scheduled.end()) {
      due = it->second.due;
      scheduled.erase(it);
    } else {
      RELAIS_ASSIGN_OR_RETURN(auto current, timers.Current(project_id, timer_id));
      if (current)
        due = current->due;
      else if (auto known = before.timer_due.find(timer_id); known != before.timer_due.end())
        due = known->second;
    }
    stamps.paused[timer_id] = SecondsLeft(due, now);
    RELAIS_RETURN_IF_ERROR(timers.Cancel(project_id, timer_id));
  }
  for (const auto& [timer_id, t] : scheduled) {
    RELAIS_RETURN_IF_ERROR(timers.Arm(t));
    stamps.due[timer_id] = t.due;
  }
  return Status::Ok();
}

}  // namespace relais::runtime
