// WorkerPool and RateLimiter: bounded queue refusal, draining on Stop, token
// buckets refilled by an injected clock.
#include "engine/api/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "engine/api/rate_limiter.h"

namespace relais::api {
namespace {

TEST(WorkerPoolTest, RunsTasksOnItsThreads) {
  WorkerPool pool(2, 16);
  std::promise<std::thread::id> ran;
  ASSERT_TRUE(pool.TrySubmit([&] { ran.set_value(std::this_thread::get_id()); }));
  EXPECT_NE(ran.get_future().get(), std::this_thread::get_id());
}

TEST(WorkerPoolTest, AFullQueueRefusesInsteadOfGrowing) {
  WorkerPool pool(1, 2);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(pool.TrySubmit([&, released] {
    started.set_value();
    released.wait();
  }));
  started.get_future().wait();  // the only worker is busy
  EXPECT_TRUE(pool.TrySubmit([] {}));
  EXPECT_TRUE(pool.TrySubmit([] {}));
  EXPECT_FALSE(pool.TrySubmit([] {})) << "queue_limit is 2";
  EXPECT_EQ(pool.queued(), 2u);
  release.set_value();
}

TEST(WorkerPoolTest, StopRunsWhatIsQueuedThenRefuses) {
  std::atomic<int> ran{0};
  WorkerPool pool(1, 100);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(pool.TrySubmit([&] { ++ran; }));
  pool.Stop();
  EXPECT_EQ(ran.load(), 50);
  EXPECT_FALSE(pool.TrySubmit([] {}));
  pool.Stop();  // idempotent
}

TEST(RateLimiterTest, BurstThenRefillAtTheConfiguredRate) {
  std::chrono::steady_clock::time_point now{};
  RateLimiter limiter(2, 3, [&] { return now; });
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Acquire("a"), 0);
  EXPECT_EQ(limiter.Acquire("a"), 1);
  EXPECT_EQ(limiter.Acquire("b"), 0) << "buckets are per key";
  now += std::chrono::milliseconds(500);  // one token at 2/s
  EXPECT_EQ(limiter.Acquire("a"), 0);
  EXPECT_EQ(limiter.Acquire("a"), 1);
  now += std::chrono::seconds(60);  // refills to the burst, not beyond
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Acquire("a"), 0);
  EXPECT_EQ(limiter.Acquire("a"), 1);
}

}  // namespace
}  // namespace relais::api
