// IANA zones over the system's tzdata (date/tz): Europe/Paris across both
// changes of a year, the overseas zones of French employment bodies, the
// reading of skipped and repeated local times, unknown names.
#include "engine/calendar/time_zone.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/util/time_format.h"

namespace relais::calendar {
namespace {

using ::testing::HasSubstr;

TimePoint T(const char* iso) { return *ParseIso8601(iso); }
TimeZone Zone(const char* name) {
  auto zone = TimeZone::Find(name);
  EXPECT_TRUE(zone.ok()) << zone.status().ToString();
  return zone.ok() ? *zone : TimeZone();
}

TEST(TimeZone, ParisSummerTimeStartsAndEndsAtOneUtcOnLastSundays) {
  const TimeZone paris = Zone("Europe/Paris");
  EXPECT_FALSE(paris.IsDaylightTime(T("2027-03-28T00:59:59Z")));
  EXPECT_TRUE(paris.IsDaylightTime(T("2027-03-28T01:00:00Z")));
  EXPECT_TRUE(paris.IsDaylightTime(T("2027-10-31T00:59:59Z")));
  EXPECT_FALSE(paris.IsDaylightTime(T("2027-10-31T01:00:00Z")));
  EXPECT_EQ(paris.OffsetSeconds(T("2027-01-15T12:00:00Z")), 3600);
  EXPECT_EQ(paris.OffsetSeconds(T("2027-07-15T12:00:00Z")), 7200);
  EXPECT_EQ(paris.name(), "Europe/Paris");
}

TEST(TimeZone, ParisLocalToUtcAcrossBothChanges) {
  const TimeZone paris = Zone("Europe/Paris");
  EXPECT_EQ(paris.ToUtc({{2027, 3, 26}, 10, 0, 0}), T("2027-03-26T09:00:00Z"));
  EXPECT_EQ(paris.ToUtc({{2027, 3, 29}, 10, 0, 0}), T("2027-03-29T08:00:00Z"));
  EXPECT_EQ(paris.ToUtc({{2027, 3, 28}, 1, 59, 0}), T("2027-03-28T00:59:00Z"));
  // The skipped hour: read with the offset before the gap (RFC 5545), i.e. moved one hour forward.
  EXPECT_EQ(paris.ToUtc({{2027, 3, 28}, 2, 0, 0}), T("2027-03-28T01:00:00Z"));
  EXPECT_EQ(paris.ToUtc({{2027, 3, 28}, 2, 30, 0}), T("2027-03-28T01:30:00Z"));
  EXPECT_EQ(paris.ToLocal(paris.ToUtc({{2027, 3, 28}, 2, 30, 0})).Compact(), "20270328T033000");
  EXPECT_EQ(paris.ToUtc({{2027, 3, 28}, 3, 0, 0}), T("2027-03-28T01:00:00Z"));
  // The repeated hour: the first occurrence (summer time), the earlier instant.
  EXPECT_EQ(paris.ToUtc({{2027, 10, 31}, 2, 0, 0}), T("2027-10-31T00:00:00Z"));
  EXPECT_EQ(paris.ToUtc({{2027, 10, 31}, 2, 30, 0}), T("2027-10-31T00:30:00Z"));
  EXPECT_EQ(paris.ToUtc({{2027, 10, 31}, 3, 0, 0}), T("2027-10-31T02:00:00Z"));
  EXPECT_EQ(paris.ToUtc({{2027, 11, 2}, 10, 0, 0}), T("2027-11-02T09:00:00Z"));
}

TEST(TimeZone, ParisUtcToLocalInvertsEveryHourOfAYear) {
  const TimeZone paris = Zone("Europe/Paris");
  for (TimePoint t = T("2027-01-01T00:00:00Z"); t < T("2028-01-01T00:00:00Z"); t += std::chrono::hours(1)) {
    LocalDateTime local = paris.ToLocal(t);
    // The second pass through the repeated October hour reads back as the first.
    const bool repeated = local.date == CivilDate{2027, 10, 31} && local.hour == 2 && !paris.IsDaylightTime(t);
    ASSERT_EQ(paris.ToUtc(local), repeated ? t - std::chrono::hours(1) : t)
        << FormatIso8601(t) << " " << local.Compact();
  }
  EXPECT_EQ(paris.ToLocal(T("2027-03-28T01:00:00Z")).Compact(), "20270328T030000");
  EXPECT_EQ(paris.ToLocal(T("2027-03-28T01:02:03.999Z")).Compact(), "20270328T030203");
}

struct Overseas {
  const char* zone;
  const char* ten_am_on_15_march_2027_utc;
};

// 10:00 local on 15 March 2027 in each zone where French employment bodies work.
TEST(TimeZone, OverseasZonesOfFrenchEmploymentBodies) {
  const Overseas cases[] = {
      {"Indian/Reunion", "2027-03-15T06:00:00Z"},      // UTC+4 (La Réunion)
      {"America/Guadeloupe", "2027-03-15T14:00:00Z"},  // UTC-4
      {"America/Martinique", "2027-03-15T14:00:00Z"},  // UTC-4
      {"America/Cayenne", "2027-03-15T13:00:00Z"},     // UTC-3 (Guyane)
      {"Indian/Mayotte", "2027-03-15T07:00:00Z"},      // UTC+3 (a link in tzdata)
      {"Pacific/Noumea", "2027-03-14T23:00:00Z"},      // UTC+11 (New Caledonia): the day before in UTC
  };
  for (const Overseas& c : cases) {
    const TimeZone zone = Zone(c.zone);
    const LocalDateTime ten{{2027, 3, 15}, 10, 0, 0};
    EXPECT_EQ(zone.ToUtc(ten), T(c.ten_am_on_15_march_2027_utc)) << c.zone;
    EXPECT_EQ(zone.ToLocal(T(c.ten_am_on_15_march_2027_utc)), ten) << c.zone;
    EXPECT_EQ(zone.name(), c.zone);
    // No summer time today: every hour of a year reads back exactly.
    for (TimePoint t = T("2027-01-01T00:00:00Z"); t < T("2028-01-01T00:00:00Z"); t += std::chrono::hours(1)) {
      ASSERT_FALSE(zone.IsDaylightTime(t)) << c.zone << " " << FormatIso8601(t);
      ASSERT_EQ(zone.ToUtc(zone.ToLocal(t)), t) << c.zone << " " << FormatIso8601(t);
    }
  }
}

TEST(TimeZone, HistoryComesFromTzdata) {
  // Nouméa kept summer time (UTC+12) in the summer of 1996-1997 only; Cayenne
  // was at UTC-4 until 1967. A fixed offset would get both wrong.
  const TimeZone noumea = Zone("Pacific/Noumea");
  EXPECT_EQ(noumea.ToUtc({{1997, 1, 15}, 10, 0, 0}), T("1997-01-14T22:00:00Z"));
  EXPECT_TRUE(noumea.IsDaylightTime(T("1997-01-14T22:00:00Z")));
  EXPECT_EQ(noumea.ToUtc({{1998, 1, 15}, 10, 0, 0}), T("1998-01-14T23:00:00Z"));
  EXPECT_EQ(Zone("America/Cayenne").ToUtc({{1960, 6, 1}, 10, 0, 0}), T("1960-06-01T14:00:00Z"));
  // Paris changed on the last Sunday of September until 1995.
  EXPECT_EQ(Zone("Europe/Paris").ToUtc({{1990, 10, 15}, 10, 0, 0}), T("1990-10-15T09:00:00Z"));
}

TEST(TimeZone, TodayDependsOnTheZone) {
  const TimePoint now = T("2027-03-14T23:30:00Z");
  EXPECT_EQ(Zone("Pacific/Noumea").ToLocal(now).date, (CivilDate{2027, 3, 15}));
  EXPECT_EQ(Zone("Europe/Paris").ToLocal(now).date, (CivilDate{2027, 3, 15}));
  EXPECT_EQ(Zone("America/Cayenne").ToLocal(now).date, (CivilDate{2027, 3, 14}));
}

TEST(TimeZone, UnknownNamesAreRefusedByName) {
  for (const char* bad : {"Europe/Lutece", "", "Paris", "europe/paris ", "../../etc/passwd"}) {
    auto zone = TimeZone::Find(bad);
    ASSERT_EQ(zone.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(zone.status().message(), HasSubstr("unknown time zone \"" + std::string(bad) + "\"")) << bad;
    EXPECT_THAT(zone.status().message(), HasSubstr("IANA"));
  }
}

TEST(TimeZone, UtcIsTheDefault) {
  const TimeZone utc;
  EXPECT_TRUE(utc.IsUtc());
  EXPECT_EQ(utc.ToUtc({{2027, 3, 28}, 2, 30, 0}), T("2027-03-28T02:30:00Z"));
  EXPECT_TRUE(TimeZone::Find("UTC")->IsUtc());
  EXPECT_TRUE(TimeZone::Find("Etc/UTC")->IsUtc());
}

}  // namespace
}  // namespace relais::calendar
