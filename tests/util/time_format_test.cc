#include "engine/util/time_format.h"

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

TEST(TimeFormatTest, EpochIsZero) { EXPECT_EQ(ToMicros(*ParseIso8601("1970-01-01T00:00:00Z")), 0); }

TEST(TimeFormatTest, RejectsMalformed) {
  for (const char* bad : {"", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-01-01", "2026-01-01T00:00:00",
                          "2026-01-01T00:00:00Zjunk", "2026-01-01T00:00:00."}) {
    EXPECT_THAT(ParseIso8601(bad), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
}

}  // namespace
}  // namespace relais
