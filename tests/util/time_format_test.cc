#include "engine/util/time_format.h"

#include <cstdio>

#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace relais {
namespace {

using testing::StatusIs;

TEST(TimeFormatTest, RoundTripsMicroseconds) {
  auto t = ParseIso8601("2026-11-23T17:51:20.123456Z");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(FormatIso8601(*t), "2026-11-23T17:51:20.123456Z");
}

TEST(TimeFormatTest, AppliesOffsets) {
  auto paris = ParseIso8601("2026-07-01T10:00:00+02:00");
  ASSERT_TRUE(paris.ok());
  EXPECT_EQ(FormatIso8601(*paris), "2026-07-01T08:00:00.000000Z");
}

TEST(TimeFormatTest, FormatsEveryFieldWithItsWidth) {
  // Against the printf format the text is defined by, over dates from year 0 to 9999.
  using namespace std::chrono;
  auto reference = [](TimePoint t) {
    auto day = floor<days>(t);
    year_month_day ymd{day};
    hh_mm_ss<microseconds> hms{t - day};
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%06lldZ", int(ymd.year()), unsigned(ymd.month()),
                  unsigned(ymd.day()), int(hms.hours().count()), int(hms.minutes().count()), int(hms.seconds().count()),
                  static_cast<long long>(hms.subseconds().count()));
    return std::string(buf);
  };
  const TimePoint first = sys_days(year(0) / 1 / 1);
  const TimePoint last = sys_days(year(9999) / 12 / 31) + hours(23) + minutes(59) + seconds(59) + microseconds(999999);
  for (TimePoint t : {first, last, TimePoint{}, TimePoint{} - microseconds(1)})
    EXPECT_EQ(FormatIso8601(t), reference(t));
  const auto step = (last - first) / 997;
  for (TimePoint t = first; t <= last; t += step + microseconds(7)) EXPECT_EQ(FormatIso8601(t), reference(t));
}

TEST(TimeFormatTest, EpochIsZero) { EXPECT_EQ(ToMicros(*ParseIso8601("1970-01-01T00:00:00Z")), 0); }

TEST(TimeFormatTest, RejectsMalformed) {
  for (const char* bad : {"", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-01-01", "2026-01-01T00:00:00",
                          "2026-01-01T00:00:00Zjunk", "2026-01-01T00:00:00."}) {
    EXPECT_THAT(ParseIso8601(bad), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
}

}  // namespace
}  // namespace relais
