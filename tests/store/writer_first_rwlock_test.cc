// The lock the durable store's reopen takes: a waiting writer holds back the
// readers that come after it (glibc's std::shared_mutex lets them in first).
#include "engine/store/writer_first_rwlock.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <shared_mutex>
#include <thread>

namespace relais {
namespace {

// A bound, not a target: how long the writer may take to start waiting.
constexpr auto kWriterWaitsWithin = std::chrono::seconds(10);

TEST(WriterFirstRwLockTest, AWaitingWriterHoldsBackNewReadersAndGetsInOnceTheReadsInProgressEnd) {
  WriterFirstRwLock lock;
  lock.lock_shared();  // a read in progress
  std::atomic<bool> wrote{false};
  std::thread writer([&] {
    std::unique_lock exclusive(lock);
    wrote = true;
  });
  // Once the writer waits, a new reader is refused (with a readers-first
  // lock it would get in for as long as reads kept coming).
  bool held_back = false;
  for (const auto deadline = std::chrono::steady_clock::now() + kWriterWaitsWithin;
       !held_back && std::chrono::steady_clock::now() < deadline;) {
    if (lock.try_lock_shared()) {
      lock.unlock_shared();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    } else {
      held_back = true;
    }
  }
  EXPECT_TRUE(held_back) << "a new reader got in while a writer waited";
  EXPECT_FALSE(wrote.load()) << "the writer got in during a read";
  lock.unlock_shared();
  writer.join();
  EXPECT_TRUE(wrote.load());
  // Free again, in both modes.
  EXPECT_TRUE(lock.try_lock_shared());
  lock.unlock_shared();
  EXPECT_TRUE(lock.try_lock());
  lock.unlock();
}

TEST(WriterFirstRwLockTest, ReadersShareItAndAWriterExcludesThem) {
  WriterFirstRwLock lock;
  std::shared_lock first(lock);
  ASSERT_TRUE(lock.try_lock_shared()) << "a second reader shares it";
  lock.unlock_shared();
  EXPECT_FALSE(lock.try_lock()) << "no writer during a read";
  first.unlock();
  std::unique_lock exclusive(lock);
  EXPECT_FALSE(lock.try_lock_shared()) << "no reader during a write";
}

}  // namespace
}  // namespace relais
