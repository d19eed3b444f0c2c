// Working days, French holidays, Europe/Paris time and iCalendar text.
#include <gtest/gtest.h>

#include "engine/calendar/civil_date.h"
#include "engine/calendar/ics_writer.h"
#include "engine/calendar/paris_time.h"
#include "engine/util/time_format.h"

namespace relais::calendar {
namespace {

TimePoint T(const char* iso) { return *ParseIso8601(iso); }

TEST(CivilDate, RoundTripsThroughDaysAndKnowsWeekdays) {
  for (int64_t d = -600'000; d <= 2'900'000; d += 37) {  // years 327 to 9909
    CivilDate date = CivilDate::FromDaysSinceEpoch(d);
    ASSERT_EQ(date.DaysSinceEpoch(), d) << date.ToString();
    ASSERT_TRUE(date.IsValid()) << date.ToString();
  }
  EXPECT_EQ((CivilDate{1970, 1, 1}).IsoWeekday(), 4);  // Thursday
  EXPECT_EQ((CivilDate{2027, 5, 1}).IsoWeekday(), 6);  // Saturday
  EXPECT_EQ((CivilDate{2028, 5, 1}).IsoWeekday(), 1);  // Monday
  EXPECT_EQ((CivilDate{2000, 2, 29}).AddDays(1), (CivilDate{2000, 3, 1}));
}

TEST(CivilDate, ParseRefusesWhatIsNotADate) {
  EXPECT_EQ(*ParseCivilDate("2027-03-15"), (CivilDate{2027, 3, 15}));
  EXPECT_EQ(ParseCivilDate("2027-02-29").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseCivilDate("2027-3-15").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseCivilDate("2027-13-01").status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(ParseCivilDate("15/03/2027").status().message().find("YYYY-MM-DD"), std::string::npos);
}

TEST(Holidays, EasterComputusMatchesKnownDates) {
  EXPECT_EQ(EasterSunday(2000), (CivilDate{2000, 4, 23}));
  EXPECT_EQ(EasterSunday(2019), (CivilDate{2019, 4, 21}));
  EXPECT_EQ(EasterSunday(2024), (CivilDate{2024, 3, 31}));
  EXPECT_EQ(EasterSunday(2025), (CivilDate{2025, 4, 20}));
  EXPECT_EQ(EasterSunday(2027), (CivilDate{2027, 3, 28}));
  EXPECT_EQ(EasterSunday(2028), (CivilDate{2028, 4, 16}));
  EXPECT_EQ(EasterSunday(2038), (CivilDate{2038, 4, 25}));  // latest possible
  EXPECT_EQ(EasterSunday(2285), (CivilDate{2285, 3, 22}));  // earliest possible
}

TEST(Holidays, FrenchListHasElevenDaysWithMovableFeasts) {
  auto h = FrenchPublicHolidays(2028);
  ASSERT_EQ(h.size(), 11u);
  WorkingCalendar cal;
  EXPECT_EQ(cal.HolidayOn({2028, 4, 17})->name_fr, "Lundi de Pâques");
  EXPECT_EQ(cal.HolidayOn({2028, 5, 25})->name_en, "Ascension Day");  // a Thursday
  EXPECT_EQ((CivilDate{2028, 5, 25}).IsoWeekday(), 4);
  EXPECT_EQ(cal.HolidayOn({2028, 6, 5})->name_en, "Whit Monday");
  EXPECT_FALSE(cal.HolidayOn({2028, 6, 6}).has_value());
}

TEST(WorkingCalendar, MovesOffWeekendsHolidaysAndClosedDays) {
  WorkingCalendar cal;
  EXPECT_EQ(cal.OnOrNextWorkingDay({2028, 5, 1}), (CivilDate{2028, 5, 2}));    // 1 May, a Monday
  EXPECT_EQ(cal.OnOrNextWorkingDay({2028, 5, 25}), (CivilDate{2028, 5, 26}));  // Ascension -> Friday
  EXPECT_EQ(cal.OnOrNextWorkingDay({2027, 5, 1}), (CivilDate{2027, 5, 3}));    // Saturday -> Monday
  EXPECT_EQ(cal.OnOrNextWorkingDay({2027, 5, 6}), (CivilDate{2027, 5, 7}));    // Ascension 2027
  EXPECT_EQ(cal.OnOrNextWorkingDay({2028, 6, 5}), (CivilDate{2028, 6, 6}));    // Whit Monday
  EXPECT_EQ(cal.OnOrNextWorkingDay({2027, 12, 24}), (CivilDate{2027, 12, 24}));
  EXPECT_EQ(cal.OnOrNextWorkingDay({2027, 12, 25}), (CivilDate{2027, 12, 27}));
  WorkingCalendar closed({CivilDate{2028, 5, 26}});  // the "pont" after Ascension
  EXPECT_EQ(closed.OnOrNextWorkingDay({2028, 5, 25}), (CivilDate{2028, 5, 29}));
  WorkingCalendar no_holidays({}, false);
  EXPECT_EQ(no_holidays.OnOrNextWorkingDay({2028, 5, 1}), (CivilDate{2028, 5, 1}));
}

TEST(ParisTime, SummerTimeStartsAndEndsAtOneUtcOnLastSundays) {
  EXPECT_EQ(LastSunday(2027, 3), (CivilDate{2027, 3, 28}));
  EXPECT_EQ(LastSunday(2027, 10), (CivilDate{2027, 10, 31}));
  EXPECT_EQ(LastSunday(2026, 3), (CivilDate{2026, 3, 29}));
  EXPECT_FALSE(ParisIsSummerTime(T("2027-03-28T00:59:59Z")));
  EXPECT_TRUE(ParisIsSummerTime(T("2027-03-28T01:00:00Z")));
  EXPECT_TRUE(ParisIsSummerTime(T("2027-10-31T00:59:59Z")));
  EXPECT_FALSE(ParisIsSummerTime(T("2027-10-31T01:00:00Z")));
}

TEST(ParisTime, LocalToUtcAcrossTheChanges) {
  EXPECT_EQ(ParisToUtc({{2027, 3, 26}, 10, 0, 0}), T("2027-03-26T09:00:00Z"));
  EXPECT_EQ(ParisToUtc({{2027, 3, 29}, 10, 0, 0}), T("2027-03-29T08:00:00Z"));
  EXPECT_EQ(ParisToUtc({{2027, 3, 28}, 1, 59, 0}), T("2027-03-28T00:59:00Z"));
  EXPECT_EQ(ParisToUtc({{2027, 3, 28}, 2, 30, 0}), T("2027-03-28T01:30:00Z"));  // skipped hour: moved forward
  EXPECT_EQ(ParisToUtc({{2027, 3, 28}, 3, 0, 0}), T("2027-03-28T01:00:00Z"));
  EXPECT_EQ(ParisToUtc({{2027, 10, 31}, 2, 30, 0}), T("2027-10-31T00:30:00Z"));  // repeated hour: first
  EXPECT_EQ(ParisToUtc({{2027, 10, 31}, 3, 0, 0}), T("2027-10-31T02:00:00Z"));
  EXPECT_EQ(ParisToUtc({{2027, 11, 2}, 10, 0, 0}), T("2027-11-02T09:00:00Z"));
}

TEST(ParisTime, UtcToLocalInvertsEveryHourOfAYear) {
  for (TimePoint t = T("2027-01-01T00:00:00Z"); t < T("2028-01-01T00:00:00Z"); t += std::chrono::hours(1)) {
    LocalDateTime local = UtcToParis(t);
    // The second pass through the repeated October hour reads back as the first.
    const bool repeated = local.date == CivilDate{2027, 10, 31} && local.hour == 2 && !ParisIsSummerTime(t);
    ASSERT_EQ(ParisToUtc(local), repeated ? t - std::chrono::hours(1) : t)
        << FormatIso8601(t) << " " << local.Compact();
  }
  EXPECT_EQ(UtcToParis(T("2027-03-28T01:00:00Z")).Compact(), "20270328T030000");
  EXPECT_EQ(FormatIcsUtc(T("2027-03-28T01:02:03.999Z")), "20270328T010203Z");
}

TEST(Ics, EscapesText) { EXPECT_EQ(EscapeIcsText("a,b;c\\d\ne\r\nf"), "a\\,b\\;c\\\\d\\ne\\nf"); }

TEST(Ics, FoldsAt75OctetsWithoutSplittingUtf8) {
  std::string value;
  for (int i = 0; i < 60; ++i) value += "é";  // two octets each
  value += "fin";
  std::string folded = FoldIcsLine("SUMMARY:" + value);
  std::string unfolded;
  size_t start = 0;
  while (start < folded.size()) {
    size_t end = folded.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    std::string line = folded.substr(start, end - start);
    EXPECT_LE(line.size(), 75u);
    if (start > 0) {
      ASSERT_EQ(line[0], ' ');
      line = line.substr(1);
    }
    // A line never starts with a UTF-8 continuation byte.
    if (!line.empty()) {
      EXPECT_NE(static_cast<unsigned char>(line[0]) & 0xC0, 0x80);
    }
    unfolded += line;
    start = end + 2;
  }
  EXPECT_EQ(unfolded, "SUMMARY:" + value);
  EXPECT_EQ(FoldIcsLine("VERSION:2.0"), "VERSION:2.0\r\n");
}

TEST(Ics, WriterUsesCrlfAndDescribesParis) {
  IcsWriter w;
  w.Begin("VCALENDAR");
  w.ParisTimezone();
  w.End("VCALENDAR");
  const std::string& text = w.text();
  EXPECT_NE(text.find("TZID:Europe/Paris\r\n"), std::string::npos);
  EXPECT_NE(text.find("RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"), std::string::npos);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      ASSERT_TRUE(i > 0 && text[i - 1] == '\r') << "bare LF at " << i;
    }
  }
}

}  // namespace
}  // namespace relais::calendar
