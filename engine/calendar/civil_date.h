// CivilDate and WorkingCalendar: dates without time zone, French public
// holidays (fixed ones plus Easter Monday, Ascension Thursday and Whit Monday,
// computed from the Gregorian Easter computus), and the rule "a milestone that
// falls on a weekend, a holiday or an extra closed day moves to the next
// working day".
//
// Thread-safety: CivilDate is a plain value; a WorkingCalendar is immutable
// after construction and safe for concurrent use.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/util/status.h"

namespace relais::calendar {

struct CivilDate {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31

  // Days since 1970-01-01 (negative before).
  int64_t DaysSinceEpoch() const;
  static CivilDate FromDaysSinceEpoch(int64_t days);
  // 1 = Monday ... 7 = Sunday (ISO 8601).
  int IsoWeekday() const;
  CivilDate AddDays(int64_t n) const { return FromDaysSinceEpoch(DaysSinceEpoch() + n); }
  bool IsValid() const;
  // "2027-03-15"
  std::string ToString() const;
  // "20270315" (iCalendar DATE)
  std::string Compact() const;

  friend auto operator<=>(const CivilDate&, const CivilDate&) = default;
};

// Parses "YYYY-MM-DD". Errors: kInvalidArgument naming the text and the expected form.
StatusOr<CivilDate> ParseCivilDate(std::string_view text);

int DaysInMonth(int year, int month);

// The last Sunday of a month.
CivilDate LastSunday(int year, int month);

// Gregorian Easter Sunday of `year` (anonymous Gregorian algorithm).
CivilDate EasterSunday(int year);

struct Holiday {
  CivilDate date;
  std::string name_fr;
  std::string name_en;
};

// The 11 French public holidays of `year` (metropolitan France), in date order.
std::vector<Holiday> FrenchPublicHolidays(int year);

class WorkingCalendar {
 public:
  // extra_closed: further days off (a programme's own closures).
  explicit WorkingCalendar(std::set<CivilDate> extra_closed = {}, bool french_holidays = true);

  bool IsWorkingDay(const CivilDate& date) const;
  // `date` itself if it is a working day, else the next one.
  CivilDate OnOrNextWorkingDay(const CivilDate& date) const;
  // The holiday's name when date is a public holiday.
  std::optional<Holiday> HolidayOn(const CivilDate& date) const;

 private:
  std::set<CivilDate> extra_closed_;
  bool french_holidays_;
};

}  // namespace relais::calendar
