// Working days and French holidays.
#include <gtest/gtest.h>

#include "engine/calendar/civil_date.h"

namespace relais::calendar {
namespace {

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

TEST(CivilDate, LastSundays) {
  EXPECT_EQ(LastSunday(2027, 3), (CivilDate{2027, 3, 28}));
  EXPECT_EQ(LastSunday(2027, 10), (CivilDate{2027, 10, 31}));
  EXPECT_EQ(LastSunday(2026, 3), (CivilDate{2026, 3, 29}));
}

}  // namespace
}  // namespace relais::calendar
