#include "engine/calendar/civil_date.h"

#include <algorithm>
#include <cstdio>

namespace relais::calendar {

// Howard Hinnant's days_from_civil / civil_from_days (public domain algorithms).
int64_t CivilDate::DaysSinceEpoch() const {
  int64_t y = year - (month <= 2 ? 1 : 0);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t mp = (month + 9) % 12;
  const int64_t doy = (153 * mp + 2) / 5 + day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate CivilDate::FromDaysSinceEpoch(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const int y = static_cast<int>(yoe + era * 400 + (m <= 2 ? 1 : 0));
  return CivilDate{y, m, d};
}

int CivilDate::IsoWeekday() const {
  const int64_t z = DaysSinceEpoch();  // 1970-01-01 was a Thursday (4)
  int64_t w = (z + 3) % 7;             // 0 = Monday
  if (w < 0) w += 7;
  return static_cast<int>(w) + 1;
}

int DaysInMonth(int year, int month) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

bool CivilDate::IsValid() const {
  return year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 && day <= DaysInMonth(year, month);
}

std::string CivilDate::ToString() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  return buf;
}

std::string CivilDate::Compact() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d", year, month, day);
  return buf;
}

StatusOr<CivilDate> ParseCivilDate(std::string_view text) {
  auto bad = [&] { return InvalidArgument("'" + std::string(text) + "' is not a date: expected YYYY-MM-DD"); };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return bad();
  auto num = [&](size_t pos, size_t len, int* out) {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      v = v * 10 + (text[i] - '0');
    }
    *out = v;
    return true;
  };
  CivilDate d;
  if (!num(0, 4, &d.year) || !num(5, 2, &d.month) || !num(8, 2, &d.day)) return bad();
  if (!d.IsValid()) return InvalidArgument("'" + std::string(text) + "' is not a date of the calendar");
  return d;
}

CivilDate EasterSunday(int year) {
  const int a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4;
  const int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = (h + l - 7 * m + 114) % 31 + 1;
  return CivilDate{year, month, day};
}

std::vector<Holiday> FrenchPublicHolidays(int year) {
  const CivilDate easter = EasterSunday(year);
  std::vector<Holiday> out = {
      {{year, 1, 1}, "Jour de l'an", "New Year's Day"},   {easter.AddDays(1), "Lundi de Pâques", "Easter Monday"},
      {{year, 5, 1}, "Fête du Travail", "Labour Day"},    {{year, 5, 8}, "Victoire 1945", "Victory in Europe Day"},
      {easter.AddDays(39), "Ascension", "Ascension Day"}, {easter.AddDays(50), "Lundi de Pentecôte", "Whit Monday"},
      {{year, 7, 14}, "Fête nationale", "Bastille Day"},  {{year, 8, 15}, "Assomption", "Assumption Day"},
      {{year, 11, 1}, "Toussaint", "All Saints' Day"},    {{year, 11, 11}, "Armistice 1918", "Armistice Day"},
      {{year, 12, 25}, "Noël", "Christmas Day"},
  };
  std::sort(out.begin(), out.end(), [](const Holiday& a, const Holiday& b) { return a.date < b.date; });
  return out;
}

WorkingCalendar::WorkingCalendar(std::set<CivilDate> extra_closed, bool french_holidays)
    : extra_closed_(std::move(extra_closed)), french_holidays_(french_holidays) {}

std::optional<Holiday> WorkingCalendar::HolidayOn(const CivilDate& date) const {
  if (!french_holidays_) return std::nullopt;
  for (Holiday& h : FrenchPublicHolidays(date.year))
    if (h.date == date) return std::move(h);
  return std::nullopt;
}

bool WorkingCalendar::IsWorkingDay(const CivilDate& date) const {
  if (date.IsoWeekday() >= 6) return false;
  if (extra_closed_.count(date)) return false;
  return !HolidayOn(date).has_value();
}

CivilDate WorkingCalendar::OnOrNextWorkingDay(const CivilDate& date) const {
  CivilDate d = date;
  // Bounded: at most a weekend plus a few consecutive closed days; the
  // extra set is finite, so this always ends.
  while (!IsWorkingDay(d)) d = d.AddDays(1);
  return d;
}

CivilDate LastSunday(int year, int month) {
  CivilDate last{year, month, DaysInMonth(year, month)};
  return last.AddDays(-(last.IsoWeekday() % 7));  // Sunday is 7: no move
}

}  // namespace relais::calendar
