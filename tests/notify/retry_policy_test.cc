// RetryPolicy as a pure function: the schedule with its jitter bounds,
// Retry-After as a floor, dead letter after the last retry, disabling on 410
// and after disable_after without a success, refusals dead-lettered at once.
#include "engine/notify/retry_policy.h"

#include <gtest/gtest.h>

#include "engine/util/time_format.h"

namespace relais::notify {
namespace {

using namespace std::chrono_literals;
using plugins::DeliveryOutcome;
using plugins::OutcomeKind;

const TimePoint kNow = FromMicros(1'700'000'000'000'000);

RetryOptions Options(size_t jitter = 0) { return RetryOptions{{1s, 10s, 100s}, jitter, 24h}; }

DeliveryOutcome Outcome(OutcomeKind kind, std::optional<std::chrono::seconds> retry_after = std::nullopt) {
  DeliveryOutcome o;
  o.kind = kind;
  o.retry_after = retry_after;
  return o;
}

TEST(RetryPolicyTest, FollowsTheScheduleThenDeadLetters) {
  const RetryPolicy policy(Options());
  const std::vector<std::chrono::seconds> expected = {1s, 10s, 100s};
  for (uint32_t attempt = 1; attempt <= 3; ++attempt) {
    RetryDecision d = policy.Decide(Outcome(OutcomeKind::kRetry), attempt, kNow, kNow, 12345);
    ASSERT_EQ(d.step, NextStep::kRetry) << "attempt " << attempt;
    EXPECT_EQ(d.retry_at, kNow + expected[attempt - 1]) << "attempt " << attempt;
  }
  EXPECT_EQ(policy.Decide(Outcome(OutcomeKind::kRetry), 4, kNow, kNow, 0).step, NextStep::kDeadLetter);
}

TEST(RetryPolicyTest, JitterStaysWithinItsShareAndDependsOnlyOnTheDraw) {
  const RetryPolicy policy(Options(10));
  bool below = false, above = false;
  for (uint64_t draw = 0; draw < 2000; draw += 7) {
    const auto delay = policy.RetryDelay(2, std::nullopt, draw * 0x9E3779B97F4A7C15ull);
    ASSERT_GE(delay, std::chrono::microseconds(9s)) << "draw " << draw;
    ASSERT_LE(delay, std::chrono::microseconds(11s)) << "draw " << draw;
    below = below || delay < 10s;
    above = above || delay > 10s;
    EXPECT_EQ(delay, policy.RetryDelay(2, std::nullopt, draw * 0x9E3779B97F4A7C15ull));
  }
  EXPECT_TRUE(below && above) << "the jitter moves waits both ways";
}

TEST(RetryPolicyTest, RetryAfterIsAFloorNotACeiling) {
  const RetryPolicy policy(Options());
  EXPECT_EQ(policy.Decide(Outcome(OutcomeKind::kRetry, 60s), 1, kNow, kNow, 0).retry_at, kNow + 60s);
  EXPECT_EQ(policy.Decide(Outcome(OutcomeKind::kRetry, 2s), 3, kNow, kNow, 0).retry_at, kNow + 100s);
}

TEST(RetryPolicyTest, GoneDisablesAndRefusedDeadLettersAtOnce) {
  const RetryPolicy policy(Options());
  RetryDecision gone = policy.Decide(Outcome(OutcomeKind::kGone), 1, std::nullopt, kNow, 0);
  EXPECT_EQ(gone.step, NextStep::kDisable);
  EXPECT_NE(gone.disable_reason.find("410"), std::string::npos) << gone.disable_reason;
  EXPECT_EQ(policy.Decide(Outcome(OutcomeKind::kRefused), 1, std::nullopt, kNow, 0).step, NextStep::kDeadLetter);
  EXPECT_EQ(policy.Decide(Outcome(OutcomeKind::kDelivered), 3, std::nullopt, kNow, 0).step, NextStep::kDone);
}

TEST(RetryPolicyTest, FailingForDisableAfterDisablesEvenWithRetriesLeft) {
  const RetryPolicy policy(Options());
  const TimePoint since = kNow - 24h;
  RetryDecision d = policy.Decide(Outcome(OutcomeKind::kRetry), 1, since, kNow, 0);
  EXPECT_EQ(d.step, NextStep::kDisable);
  EXPECT_EQ(d.disable_reason, "no successful delivery since " + FormatIso8601(since));
  EXPECT_EQ(policy.Decide(Outcome(OutcomeKind::kRetry), 1, kNow - 24h + 1s, kNow, 0).step, NextStep::kRetry);
  EXPECT_EQ(policy.Decide(Outcome(OutcomeKind::kRetry), 1, std::nullopt, kNow, 0).step, NextStep::kRetry)
      << "an unknown failing-since never disables";
}

}  // namespace
}  // namespace relais::notify
