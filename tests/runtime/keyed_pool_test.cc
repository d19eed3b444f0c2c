// KeyedPool: each key's work in submission order and one at a time; other
// keys' work at the same time on the pool's threads; Wait returns once all
// submitted work has run.
#include "engine/runtime/keyed_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace relais::runtime {
namespace {

TEST(KeyedPoolTest, OneKeysWorkRunsInOrderAndNeverTwoAtOnce) {
  KeyedPool pool(8);
  std::mutex mu;
  std::map<int, std::vector<int>> seen;
  std::map<int, std::atomic<int>> running;
  for (int k = 0; k < 4; ++k) running[k] = 0;
  std::atomic<bool> overlap{false};
  for (int i = 0; i < 400; ++i) {
    const int key = i % 4;
    pool.Submit(std::to_string(key), [&, key, i] {
      if (running[key].fetch_add(1) != 0) overlap = true;
      std::this_thread::sleep_for(std::chrono::microseconds(50));
      {
        std::lock_guard lock(mu);
        seen[key].push_back(i);
      }
      running[key].fetch_sub(1);
    });
  }
  pool.Wait();
  EXPECT_FALSE(overlap) << "two items of one key ran at the same time";
  ASSERT_EQ(seen.size(), 4u);
  for (auto& [key, order] : seen) {
    ASSERT_EQ(order.size(), 100u) << key;
    for (size_t j = 1; j < order.size(); ++j) EXPECT_LT(order[j - 1], order[j]) << "key " << key;
  }
}

TEST(KeyedPoolTest, DifferentKeysRunAtTheSameTime) {
  KeyedPool pool(4);
  std::atomic<int> inside{0};
  std::atomic<int> most{0};
  for (int key = 0; key < 4; ++key)
    pool.Submit(std::to_string(key), [&] {
      const int now = ++inside;
      for (int seen = most.load(); now > seen && !most.compare_exchange_weak(seen, now);) {
      }
      // Held until all four are in (bounded: a pool that ran them one by one fails below, not here).
      for (int spin = 0; spin < 2000 && inside.load() < 4; ++spin)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      --inside;
    });
  pool.Wait();
  EXPECT_EQ(most.load(), 4) << "four keys on four threads ran together";
}

TEST(KeyedPoolTest, WaitCoversWorkSubmittedFromWorkAndTheDestructorWaitsToo) {
  std::atomic<int> done{0};
  {
    KeyedPool pool(2);
    pool.Submit("a", [&] {
      pool.Submit("a", [&] { ++done; });  // queued behind the running item of its own key
      ++done;
    });
    pool.Wait();
    EXPECT_EQ(done.load(), 2);
    for (int i = 0; i < 50; ++i) pool.Submit("b" + std::to_string(i % 3), [&] { ++done; });
  }
  EXPECT_EQ(done.load(), 52) << "the destructor ran what was submitted";
}

}  // namespace
}  // namespace relais::runtime
