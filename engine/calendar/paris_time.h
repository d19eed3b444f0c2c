// Europe/Paris local time <-> UTC, computed from the EU summer-time rule
// (Directive 2000/84/EC): summer time (CEST, UTC+2) from the last Sunday of
// March at 01:00 UTC to the last Sunday of October at 01:00 UTC; otherwise
// CET (UTC+1). GCC 12's libstdc++ has no chrono time zones, and this rule is
// fixed by law, so it is computed here rather than read from tzdata. Valid for
// dates from 1996 on (the rule's start); earlier dates get the same rule.
//
// Thread-safety: stateless functions; safe from any thread.
#pragma once

#include <string>

#include "engine/calendar/civil_date.h"
#include "engine/util/clock.h"

namespace relais::calendar {

struct LocalDateTime {
  CivilDate date;
  int hour = 0;    // 0..23
  int minute = 0;  // 0..59
  int second = 0;  // 0..59

  // "20270315T100000" (iCalendar local form, to be used with TZID)
  std::string Compact() const;
  friend auto operator<=>(const LocalDateTime&, const LocalDateTime&) = default;
};

// True when Paris is on summer time at instant t.
bool ParisIsSummerTime(TimePoint t);
// The UTC offset of Paris at instant t, in minutes (60 or 120).
int ParisOffsetMinutes(TimePoint t);

// The instant a Paris wall-clock time denotes. A time that does not exist
// (the skipped hour on the last Sunday of March) is read with the winter
// offset, i.e. moved one hour forward; an ambiguous time (the repeated hour in
// October) is the first, summer-time, occurrence.
TimePoint ParisToUtc(const LocalDateTime& local);
LocalDateTime UtcToParis(TimePoint t);

// "20270315T090000Z" (iCalendar UTC form), truncated to the second.
std::string FormatIcsUtc(TimePoint t);

// The last Sunday of a month.
CivilDate LastSunday(int year, int month);

}  // namespace relais::calendar
