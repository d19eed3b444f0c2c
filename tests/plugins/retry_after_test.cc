// Retry-After in both forms of RFC 9110: delay-seconds and an HTTP-date.
#include "plugins/webhook/retry_after.h"

#include <gtest/gtest.h>

namespace relais::plugins::webhook {
namespace {

using std::chrono::seconds;

// 2015-10-21T07:28:00Z
const std::chrono::system_clock::time_point kNow =
    std::chrono::sys_days(std::chrono::year(2015) / 10 / 21) + std::chrono::hours(7) + std::chrono::minutes(28);

TEST(RetryAfterTest, DelaySeconds) {
  EXPECT_EQ(ParseRetryAfter("120", kNow), seconds(120));
  EXPECT_EQ(ParseRetryAfter("0", kNow), seconds(0));
  EXPECT_EQ(ParseRetryAfter("1234567890", kNow), std::nullopt) << "more than 9 digits";
  EXPECT_EQ(ParseRetryAfter("-5", kNow), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("", kNow), std::nullopt);
}

TEST(RetryAfterTest, HttpDateIsReadAgainstNow) {
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:30:00 GMT", kNow), seconds(120));
  EXPECT_EQ(ParseRetryAfter("Thu, 22 Oct 2015 07:28:00 GMT", kNow), seconds(86'400));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:00:00 GMT", kNow), seconds(0)) << "a past date: at once";
}

TEST(RetryAfterTest, AnythingElseIsNotHonoured) {
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:30:00 UTC", kNow), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("Wed, 31 Feb 2015 07:30:00 GMT", kNow), std::nullopt) << "no 31 February";
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Foo 2015 07:30:00 GMT", kNow), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 25:30:00 GMT", kNow), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("Wednesday, 21-Oct-15 07:30:00 GMT", kNow), std::nullopt) << "obsolete RFC 850 form";
  EXPECT_EQ(ParseRetryAfter("soon", kNow), std::nullopt);
}

}  // namespace
}  // namespace relais::plugins::webhook
