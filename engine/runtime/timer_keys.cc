#include "engine/runtime/timer_keys.h"

#include <cstdio>

#include "engine/util/time_format.h"

namespace relais::runtime {
namespace {

// "%016llx" of micros (0 when negative), without snprintf.
std::string Hex16(int64_t micros) {
  static constexpr char kDigits[] = "0123456789abcdef";
  uint64_t v = static_cast<uint64_t>(micros < 0 ? 0 : micros);
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) out[static_cast<size_t>(i)] = kDigits[v & 0xf];
  return out;
}

}  // namespace

std::string DueTimer::DueKey() const {
  return std::string(kTimerDuePrefix) + Hex16(ToMicros(due)) + "/" + project_id + "/" + timer_id;
}

std::string TimerOfKey(std::string_view project_id, std::string_view timer_id) {
  return std::string(kTimerOfPrefix) + std::string(project_id) + "/" + std::string(timer_id);
}

std::string DueKeyBound(TimePoint t) { return std::string(kTimerDuePrefix) + Hex16(ToMicros(t) + 1); }

Json DueTimer::ToJson() const {
  Json j = {{"project", project_id}, {"timer", timer_id}, {"fires", fires}, {"due", FormatIso8601(due)}};
  if (repeating) j["period"] = period.ToString();
  if (!payload.is_null()) j["payload"] = payload;
  return j;
}

std::string DueTimer::ToJsonText() const {
  // ToJson's members in the order DumpJson writes them (sorted keys).
  std::string out;
  out.reserve(128);
  out += "{\"due\":";
  AppendJsonString(FormatIso8601(due), out);
  out += ",\"fires\":";
  AppendJsonString(fires, out);
  if (!payload.is_null()) {
    out += ",\"payload\":";
    AppendJson(payload, out);
  }
  if (repeating) {
    out += ",\"period\":";
    AppendJsonString(period.ToString(), out);
  }
  out += ",\"project\":";
  AppendJsonString(project_id, out);
  out += ",\"timer\":";
  AppendJsonString(timer_id, out);
  out += '}';
  return out;
}

StatusOr<DueTimer> DueTimer::FromJson(const Json& j) {
  DueTimer t;
  if (!j.is_object()) return Corruption("timer entry is not an object");
  t.project_id = j.value("project", "");
  t.timer_id = j.value("timer", "");
  t.fires = j.value("fires", "");
  auto due = ParseIso8601(j.value("due", ""));
  if (!due.ok() || t.project_id.empty() || t.timer_id.empty() || t.fires.empty())
    return Corruption("malformed timer entry " + j.dump());
  t.due = *due;
  if (j.contains("period")) {
    auto period = workflow::ParseIsoDuration(j.value("period", ""));
    if (!period.ok()) return Corruption("malformed timer period in " + j.dump());
    t.repeating = true;
    t.period = *period;
  }
  if (auto it = j.find("payload"); it != j.end()) {
    if (!it->is_object()) return Corruption("malformed timer payload in " + j.dump());
    t.payload = *it;
  }
  return t;
}

workflow::IsoDuration PeriodOf(int times_per_year) {
  workflow::IsoDuration d;
  if (times_per_year <= 0) return d;
  if (12 % times_per_year == 0)
    d.months = 12 / times_per_year;
  else
    d.days = 365 / times_per_year;
  return d;
}

StatusOr<DueTimer> ScheduleTimer(std::string_view project_id, const workflow::TimerToArm& arm, TimePoint now) {
  DueTimer t;
  t.project_id = std::string(project_id);
  t.timer_id = arm.timer_id;
  t.fires = arm.fires;
  switch (arm.kind) {
    case workflow::TimerKind::kAfter: t.due = workflow::AddDuration(now, arm.delay); break;
    case workflow::TimerKind::kAt: {
      RELAIS_ASSIGN_OR_RETURN(t.due, workflow::ParseDate(arm.at));
      if (t.due < now) t.due = now;  // a date already past fires at once
      break;
    }
    case workflow::TimerKind::kRepeat:
      t.repeating = true;
      t.period = arm.delay.IsZero() ? PeriodOf(arm.times_per_year) : arm.delay;
      t.due = workflow::AddDuration(now, t.period);
      break;
  }
  return t;
}

}  // namespace relais::runtime
