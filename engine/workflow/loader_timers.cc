#include "engine/workflow/loader_timers.h"

#include "engine/workflow/duration.h"
#include "engine/workflow/timer_dates.h"

namespace relais::workflow {

void LoadTimerEvery(YamlReader& reader, const YAML::Node& node, Timer& timer) {
  timer.kind = TimerKind::kRepeat;
  auto text = reader.String(node, "every", timer.location);
  if (!text) return;
  auto d = ParseIsoDuration(*text, reader.limits());
  if (!d.ok()) {
    reader.diag().Error(YamlReader::Loc(node), "bad-duration", "bad period", "'" + *text + "'",
                        "an ISO 8601 duration such as P18M, P1Y, P2W or P30D", d.status().message());
  } else if (d->IsZero()) {
    reader.diag().Error(YamlReader::Loc(node), "bad-duration", "a repeating timer's period must be positive",
                        "'" + *text + "'", "a non-zero duration", "every: P18M repeats every 18 months");
  } else {
    timer.after = *d;
  }
}

void LoadTimerOnSuspend(YamlReader& reader, const YAML::Node& node, Timer& timer) {
  auto v = reader.String(node, "on_suspend", timer.location);
  if (!v) return;
  if (*v == "keep")
    timer.on_suspend = TimerSuspendPolicy::kKeep;
  else if (*v == "pause")
    timer.on_suspend = TimerSuspendPolicy::kPause;
  else if (*v == "cancel")
    timer.on_suspend = TimerSuspendPolicy::kCancel;
  else
    reader.diag().Error(YamlReader::Loc(node), "bad-value", "unknown suspension policy of timer '" + timer.id + "'",
                        "'" + *v + "'", "keep, pause or cancel",
                        DidYouMean(*v, {"keep", "pause", "cancel"}).empty()
                            ? "keep: runs on (default); pause: the time left waits for the resumption; cancel"
                            : DidYouMean(*v, {"keep", "pause", "cancel"}));
}

void LoadTimerAtField(YamlReader& reader, const WorkflowDefinition& def, const std::string& text, SourceLocation at,
                      Timer& timer) {
  Diagnostics& diag = reader.diag();
  auto ref = ParseDateFieldRef(text);
  if (!ref) {
    diag.Error(at, "bad-date-field", "'at' names no field", "'" + text + "'",
               "a date YYYY-MM-DD, event.<field> or state.<field>", "one field name after the dot: state.date_fin");
    return;
  }
  const Json* schema = &def.state_schema;
  std::string owner = "the state";
  if (ref->from_event) {
    const EventType* event = timer.on_event ? def.FindEvent(*timer.on_event) : nullptr;
    if (event == nullptr) {
      diag.Error(at, "bad-date-field", "'at: " + text + "' needs the event that arms the timer",
                 timer.on_event ? "armed_on: {event: " + *timer.on_event + "}" : "armed_on: {phase: ...}",
                 "armed_on: {event: <type>} (a declared event, not project_created)",
                 "a timer armed on entering a phase reads its date from the state: at: state." + ref->field);
      return;
    }
    schema = &event->schema;
    owner = "the data of '" + event->type + "'";
  }
  if (auto problem = CheckDateField(*schema, ref->field)) {
    diag.Error(at, "bad-date-field", problem->message + " in " + owner, problem->found, problem->expected,
               problem->hint);
    return;
  }
  timer.at_field = ref->ToString();
}

}  // namespace relais::workflow
