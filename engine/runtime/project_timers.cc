#include "engine/runtime/project_timers.h"

#include <algorithm>
#include <tuple>

#include "engine/runtime/timer_keys.h"
#include "engine/util/time_format.h"

namespace relais::runtime {
namespace {

// Whole seconds as an ISO 8601 duration in days and time ("P3DT4H", "PT0S").
std::string SecondsAsDuration(int64_t seconds) {
  workflow::IsoDuration d;
  const int64_t s = std::max<int64_t>(0, seconds);
  d.days = static_cast<int>(s / 86400);
  d.hours = static_cast<int>(s % 86400 / 3600);
  d.minutes = static_cast<int>(s % 3600 / 60);
  d.seconds = static_cast<int>(s % 60);
  return d.IsZero() ? "PT0S" : d.ToString();
}

}  // namespace

Json ProjectTimersJson(const workflow::WorkflowDefinition* def, const workflow::ProjectState& state) {
  struct Row {
    int rank;  // 0 due, 1 paused, 2 unknown
    TimePoint due;
    std::string id;
    Json json;
  };
  std::vector<Row> rows;
  for (const auto& [id, armed_in] : state.armed_timers) {
    const workflow::Timer* t = def ? def->FindTimer(id) : nullptr;
    Json j = {{"id", id}, {"phase", armed_in}, {"labels", {{"fr", ""}, {"en", ""}}}, {"due", nullptr}};
    if (t) {
      j["labels"] = {{"fr", t->labels.fr}, {"en", t->labels.en}};
      j["fires"] = t->fires;
      switch (t->kind) {
        case workflow::TimerKind::kAfter: j["kind"] = "after"; break;
        case workflow::TimerKind::kAt: j["kind"] = "at"; break;
        case workflow::TimerKind::kRepeat:
          j["kind"] = "every";
          j["period"] = (t->after.IsZero() ? PeriodOf(t->times_per_year) : t->after).ToString();
          break;
      }
    }
    Row row{2, TimePoint{}, id, {}};
    if (auto p = state.paused_timers.find(id); p != state.paused_timers.end()) {
      j["paused_remaining"] = SecondsAsDuration(p->second);
      row.rank = 1;
    } else if (auto d = state.timer_due.find(id); d != state.timer_due.end()) {
      j["due"] = FormatIso8601(d->second);
      row.rank = 0;
      row.due = d->second;
    }
    row.json = std::move(j);
    rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end(),
            [](const Row& a, const Row& b) { return std::tie(a.rank, a.due, a.id) < std::tie(b.rank, b.due, b.id); });
  Json out = Json::array();
  for (Row& r : rows) out.push_back(std::move(r.json));
  return out;
}

}  // namespace relais::runtime
