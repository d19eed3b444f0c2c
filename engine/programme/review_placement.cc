#include "engine/programme/review_placement.h"

#include <algorithm>
#include <set>

namespace relais::programme {

calendar::WorkingCalendar CalendarOf(const ProgrammeDefinition& definition) {
  return calendar::WorkingCalendar(std::set<CivilDate>(definition.closed_days.begin(), definition.closed_days.end()),
                                   definition.public_holidays);
}

CivilDate AddYears(const CivilDate& start, int n) {
  CivilDate d{start.year + n, start.month, start.day};
  d.day = std::min(d.day, calendar::DaysInMonth(d.year, d.month));
  return d;
}

std::vector<CivilDate> ReviewDates(const ReviewRule& rule, const calendar::WorkingCalendar& calendar,
                                   const CivilDate& start, const CivilDate& end) {
  std::vector<CivilDate> out;
  if (rule.per_year <= 0 || end < start) return out;
  auto add = [&](const CivilDate& nominal) {
    if (nominal < start || end < nominal) return;
    CivilDate moved = calendar.OnOrNextWorkingDay(nominal);
    if (end < moved) return;
    if (out.empty() || out.back() < moved) out.push_back(moved);
  };
  if (rule.months.empty()) {
    for (int k = 0;; ++k) {
      const CivilDate year_start = AddYears(start, k);
      if (end < year_start) break;
      const int64_t length = AddYears(start, k + 1).DaysSinceEpoch() - year_start.DaysSinceEpoch();
      for (int i = 0; i < rule.per_year; ++i) {
        const int64_t offset = (2 * i + 1) * length / (2 * rule.per_year);
        add(year_start.AddDays(offset));
      }
    }
  } else {
    for (int year = start.year; year <= end.year; ++year)
      for (int month : rule.months) add(CivilDate{year, month, std::min(rule.day, calendar::DaysInMonth(year, month))});
  }
  return out;
}

CivilDate YearlyDate(const YearlyMilestone& milestone, const calendar::WorkingCalendar& calendar, int year) {
  return calendar.OnOrNextWorkingDay(
      CivilDate{year, milestone.month, std::min(milestone.day, calendar::DaysInMonth(year, milestone.month))});
}

}  // namespace relais::programme
