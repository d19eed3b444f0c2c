#include "engine/calendar/paris_time.h"

#include <cstdio>

namespace relais::calendar {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;

TimePoint UtcOf(const CivilDate& d, int hour, int minute, int second) {
  const int64_t seconds = d.DaysSinceEpoch() * 86400 + hour * 3600 + minute * 60 + second;
  return FromMicros(seconds * kMicrosPerSecond);
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0); }

}  // namespace

std::string LocalDateTime::Compact() const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%sT%02d%02d%02d", date.Compact().c_str(), hour, minute, second);
  return buf;
}

CivilDate LastSunday(int year, int month) {
  CivilDate last{year, month, DaysInMonth(year, month)};
  return last.AddDays(-(last.IsoWeekday() % 7));  // Sunday is 7: no move
}

bool ParisIsSummerTime(TimePoint t) {
  const int64_t secs = FloorDiv(ToMicros(t), kMicrosPerSecond);
  const int year = CivilDate::FromDaysSinceEpoch(FloorDiv(secs, 86400)).year;
  const TimePoint start = UtcOf(LastSunday(year, 3), 1, 0, 0);
  const TimePoint end = UtcOf(LastSunday(year, 10), 1, 0, 0);
  return t >= start && t < end;
}

int ParisOffsetMinutes(TimePoint t) { return ParisIsSummerTime(t) ? 120 : 60; }

TimePoint ParisToUtc(const LocalDateTime& local) {
  const TimePoint as_utc = UtcOf(local.date, local.hour, local.minute, local.second);
  const TimePoint summer = as_utc - std::chrono::hours(2);
  if (ParisIsSummerTime(summer)) return summer;
  return as_utc - std::chrono::hours(1);
}

LocalDateTime UtcToParis(TimePoint t) {
  const int64_t secs = FloorDiv(ToMicros(t), kMicrosPerSecond) + ParisOffsetMinutes(t) * 60;
  const int64_t days = FloorDiv(secs, 86400);
  const int64_t rem = secs - days * 86400;
  LocalDateTime out;
  out.date = CivilDate::FromDaysSinceEpoch(days);
  out.hour = static_cast<int>(rem / 3600);
  out.minute = static_cast<int>(rem % 3600 / 60);
  out.second = static_cast<int>(rem % 60);
  return out;
}

std::string FormatIcsUtc(TimePoint t) {
  const int64_t secs = FloorDiv(ToMicros(t), kMicrosPerSecond);
  const int64_t days = FloorDiv(secs, 86400);
  const int64_t rem = secs - days * 86400;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%sT%02d%02d%02dZ", CivilDate::FromDaysSinceEpoch(days).Compact().c_str(),
                static_cast<int>(rem / 3600), static_cast<int>(rem % 3600 / 60), static_cast<int>(rem % 60));
  return buf;
}

}  // namespace relais::calendar
