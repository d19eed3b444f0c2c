#include "engine/workflow/timer_plan.h"

#include <algorithm>

#include "engine/workflow/timer_dates.h"

namespace relais::workflow {
namespace {

bool Listed(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// A state field after the event's changes (set, then unset; dates are never appended to).
Json FieldAfter(const ProjectState& state, const Effects& effects, const std::string& field) {
  if (auto it = effects.set.find(field); it != effects.set.end()) return *it;
  if (Listed(effects.unset, field)) return Json();
  auto it = state.fields.find(field);
  return it == state.fields.end() ? Json() : *it;
}

// Resolves `at: event.<f>` / `at: state.<f>` into arm.at, or refuses.
std::optional<Refusal> ResolveAtField(const Timer& t, const ProjectState& state, const TimerStep& step,
                                      const Effects& effects, TimerToArm& arm) {
  auto ref = ParseDateFieldRef(t.at_field);
  Json value;
  if (ref && ref->from_event && step.data) {
    auto it = step.data->find(ref->field);
    if (it != step.data->end()) value = *it;
  } else if (ref && !ref->from_event) {
    value = FieldAfter(state, effects, ref->field);
  }
  if (auto date = DateOfValue(value)) {
    arm.at = *date;
    return std::nullopt;
  }
  const std::string what = value.is_null() ? "is missing" : DumpJson(value) + " is not a date YYYY-MM-DD";
  return Refusal{RefusalCode::kTimerDateInvalid,
                 "timer '" + t.id + "' can not be armed: " + t.at_field + " " + what,
                 {{"event_type", step.event_type}, {"timer", t.id}, {"field", t.at_field}, {"value", value}}};
}

}  // namespace

TimerToArm ArmOf(const Timer& t, const std::string& phase) {
  return TimerToArm{t.id, t.fires, t.kind, t.after, t.at, t.times_per_year, phase};
}

std::optional<Refusal> PlanTimers(const WorkflowDefinition& def, const ProjectState& state, const TimerStep& step,
                                  Effects& effects, Decision& d) {
  std::vector<std::string>& cancelled = effects.timers.cancelled;
  std::map<std::string, std::string>& armed = effects.timers.armed;
  const Phase* target = def.FindPhase(step.to);
  const bool phase_changed = !step.from || *step.from != step.to;
  auto cancel = [&](const std::string& id) {
    cancelled.push_back(id);
    d.cancel.push_back(id);
  };
  if (phase_changed && step.from) {
    for (const auto& [id, armed_in] : state.armed_timers) {
      if (step.fired_timer && *step.fired_timer == id) continue;
      const Timer* t = def.FindTimer(id);
      if (target->terminal || t == nullptr || (t->cancel_on_phase_exit && armed_in == *step.from)) cancel(id);
    }
  }
  const bool suspended_after = effects.suspended.value_or(state.suspended);
  for (const auto& t : def.timers) {
    bool arm = (phase_changed && t.on_enter_phase && *t.on_enter_phase == step.to) ||
               (t.on_event && *t.on_event == step.event_type);
    if (!arm) continue;
    TimerToArm to_arm = ArmOf(t, step.to);
    if (!t.at_field.empty())
      if (auto r = ResolveAtField(t, state, step, effects, to_arm)) return r;
    armed[t.id] = step.to;
    d.arm.push_back(std::move(to_arm));
    // Re-armed in the same step: it is not cancelled after all.
    auto it = std::find(d.cancel.begin(), d.cancel.end(), t.id);
    if (it != d.cancel.end()) {
      d.cancel.erase(it);
      cancelled.erase(std::remove(cancelled.begin(), cancelled.end(), t.id), cancelled.end());
    }
    // Armed while the project is suspended: a pausing timer waits for the resumption.
    if (suspended_after && t.on_suspend == TimerSuspendPolicy::kPause) {
      effects.timers.paused[t.id] = 0;
      d.pause.push_back(t.id);
    }
  }
  const bool one_shot_fired = [&] {
    if (!step.fired_timer) return false;
    const Timer* t = def.FindTimer(*step.fired_timer);
    return t && t->kind != TimerKind::kRepeat && !armed.count(*step.fired_timer);
  }();
  if (one_shot_fired) effects.timers.fired = {*step.fired_timer};
  // What a suspension or a resumption does to the timers that were running.
  const bool suspending = effects.suspended == true && !state.suspended;
  const bool resuming = effects.suspended == false && state.suspended;
  if (suspending || resuming) {
    for (const auto& [id, armed_in] : state.armed_timers) {
      const Timer* t = def.FindTimer(id);
      if (t == nullptr || Listed(cancelled, id) || armed.count(id) || (one_shot_fired && *step.fired_timer == id))
        continue;
      if (suspending && t->on_suspend == TimerSuspendPolicy::kPause && !state.paused_timers.count(id)) {
        effects.timers.paused[id] = 0;
        d.pause.push_back(id);
      } else if (suspending && t->on_suspend == TimerSuspendPolicy::kCancel) {
        cancel(id);
      } else if (resuming && state.paused_timers.count(id)) {
        effects.timers.resumed.push_back(id);
        d.resume.push_back(ArmOf(*t, armed_in));
      }
    }
  }
  return std::nullopt;
}

}  // namespace relais::workflow
