// StoreHealth: failed until a recovery that saw every failure.
#include "engine/store/store_health.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace relais {
namespace {

using ::testing::HasSubstr;
using testing::IsOk;
using testing::StatusIs;

TEST(StoreHealthTest, FailedWithTheLatestReasonUntilRecovered) {
  StoreHealth health;
  EXPECT_THAT(health.Writable(), IsOk());
  EXPECT_TRUE(health.MarkFailed(Unavailable("disk full")));
  EXPECT_FALSE(health.MarkFailed(Corruption("flush failed"))) << "only the first failure of a run is news";
  EXPECT_THAT(health.Writable(), StatusIs(StatusCode::kUnavailable, HasSubstr("flush failed")));
  const uint64_t seen = health.generation();
  EXPECT_TRUE(health.MarkRecoveredIf(seen));
  EXPECT_THAT(health.Writable(), IsOk());
  EXPECT_FALSE(health.MarkRecoveredIf(health.generation())) << "nothing to recover from";
}

TEST(StoreHealthTest, AFailureDuringARecoveryAttemptKeepsTheStoreFailed) {
  StoreHealth health;
  health.MarkFailed(Unavailable("disk full"));
  const uint64_t seen = health.generation();
  health.MarkFailed(Unavailable("flush failed again"));  // while Resume() ran
  EXPECT_FALSE(health.MarkRecoveredIf(seen));
  EXPECT_TRUE(health.failed());
  EXPECT_TRUE(health.MarkRecoveredIf(health.generation()));
}

}  // namespace
}  // namespace relais
