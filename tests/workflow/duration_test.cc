#include "engine/workflow/duration.h"

#include <gtest/gtest.h>

#include "engine/util/time_format.h"
#include "tests/testing/status_matchers.h"

namespace relais::workflow {
namespace {

using ::relais::testing::IsOk;
using ::relais::testing::StatusIs;

TEST(IsoDurationTest, ParsesAndPrintsCanonically) {
  for (const char* text : {"P12M", "P30D", "PT2H", "P1Y6M", "P2W", "P1Y2M3W4DT5H6M7S", "PT30M"}) {
    auto d = ParseIsoDuration(text);
    ASSERT_THAT(d, IsOk()) << text;
    EXPECT_EQ(d->ToString(), text);
  }
  EXPECT_EQ(ParseIsoDuration("P12M")->months, 12);
  EXPECT_EQ(ParseIsoDuration("PT2H")->hours, 2);
}

TEST(IsoDurationTest, RejectsEverythingElse) {
  for (const char* text : {"", "P", "PT", "12 months", "P1.5M", "P-1D", "PM", "P1H", "PT1D", "P1D1Y", "P1M1M", "P1DT",
                           "p1d", "P1DT2H3", "P99999999999D"}) {
    EXPECT_THAT(ParseIsoDuration(text), StatusIs(StatusCode::kInvalidArgument)) << text;
  }
}

TEST(IsoDurationTest, AddsCalendarMonthsClampingTheDay) {
  auto start = *ParseIso8601("2004-01-31T10:00:00Z");
  EXPECT_EQ(FormatIso8601(AddDuration(start, *ParseIsoDuration("P1M"))), "2004-02-29T10:00:00.000000Z");
  EXPECT_EQ(FormatIso8601(AddDuration(start, *ParseIsoDuration("P12M"))), "2005-01-31T10:00:00.000000Z");
  EXPECT_EQ(FormatIso8601(AddDuration(start, *ParseIsoDuration("P1DT2H"))), "2004-02-01T12:00:00.000000Z");
}

TEST(IsoDurationTest, ParsesDates) {
  EXPECT_THAT(ParseDate("2004-02-29"), IsOk());
  EXPECT_THAT(ParseDate("2003-02-29"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseDate("2003-2-1"), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace relais::workflow
