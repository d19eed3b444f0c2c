// HandoverMutex: exclusion between blocked threads and continuations, the
// hand-over to a continuation through its executor, arrival order.
#include "engine/util/handover_mutex.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace relais {
namespace {

// A one-thread executor, so the tests see where continuations run.
class Executor {
 public:
  Executor() : thread_([this] { Run(); }) {}
  ~Executor() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void Post(HandoverMutex::Task task) {
    {
      std::lock_guard lock(mu_);
      tasks_.push_back(std::move(task));
    }
    cv_.notify_all();
  }
  std::thread::id id() const { return thread_.get_id(); }

 private:
  void Run() {
    for (;;) {
      HandoverMutex::Task task;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stop_ || !tasks_.empty(); });
        if (tasks_.empty()) return;
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<HandoverMutex::Task> tasks_;
  bool stop_ = false;
  std::thread thread_;
};

TEST(HandoverMutexTest, AFreeMutexRunsTheContinuationAtOnceOnTheCallingThread) {
  HandoverMutex mu;
  Executor executor;
  const HandoverMutex::Post post = [&](HandoverMutex::Task t) { executor.Post(std::move(t)); };
  std::thread::id ran_on;
  mu.LockThen([&] { ran_on = std::this_thread::get_id(); }, &post);
  EXPECT_EQ(ran_on, std::this_thread::get_id());
  EXPECT_FALSE(mu.try_lock()) << "the continuation holds the mutex until it unlocks";
  mu.unlock();
  EXPECT_TRUE(mu.try_lock());
  mu.unlock();
}

TEST(HandoverMutexTest, AHeldMutexIsHandedToTheContinuationThroughItsExecutorByTheUnlock) {
  HandoverMutex mu;
  Executor executor;
  const HandoverMutex::Post post = [&](HandoverMutex::Task t) { executor.Post(std::move(t)); };
  mu.lock();
  std::promise<std::thread::id> ran;
  mu.LockThen([&] { ran.set_value(std::this_thread::get_id()); }, &post);
  auto future = ran.get_future();
  EXPECT_EQ(future.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout) << "it waits for the unlock";
  mu.unlock();
  EXPECT_EQ(future.get(), executor.id());
  EXPECT_FALSE(mu.try_lock()) << "handed over, not released";
  mu.unlock();
  EXPECT_TRUE(mu.try_lock());
  mu.unlock();
}

TEST(HandoverMutexTest, WaitersAreServedInArrivalOrderBlockedOrNot) {
  HandoverMutex mu;
  Executor executor;
  const HandoverMutex::Post post = [&](HandoverMutex::Task t) { executor.Post(std::move(t)); };
  std::mutex order_mu;
  std::vector<int> order;
  auto note = [&](int i) {
    std::lock_guard lock(order_mu);
    order.push_back(i);
  };
  mu.lock();
  mu.LockThen(
      [&] {
        note(1);
        mu.unlock();
      },
      &post);
  std::thread blocked([&] {
    std::lock_guard hold(mu);
    note(2);
  });
  // Time for the blocked thread to queue behind the first continuation.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  mu.LockThen(
      [&] {
        note(3);
        mu.unlock();
      },
      &post);
  mu.unlock();
  blocked.join();
  for (int i = 0; i < 500; ++i) {
    {
      std::lock_guard lock(order_mu);
      if (order.size() == 3) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  std::lock_guard lock(order_mu);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(HandoverMutexTest, ThreadsAndContinuationsNeverHoldItTogether) {
  HandoverMutex mu;
  Executor executor;
  const HandoverMutex::Post post = [&](HandoverMutex::Task t) { executor.Post(std::move(t)); };
  std::atomic<int> inside{0};
  std::atomic<int> overlaps{0};
  long counter = 0;  // changed only under the mutex, without atomics
  constexpr int kThreads = 4, kEach = 2000;
  auto critical = [&] {
    if (inside.fetch_add(1) != 0) overlaps.fetch_add(1);
    ++counter;
    inside.fetch_sub(1);
  };
  std::atomic<int> continuations_done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        if ((i + t) % 2 == 0) {
          std::lock_guard hold(mu);
          critical();
        } else {
          mu.LockThen(
              [&] {
                critical();
                mu.unlock();
                continuations_done.fetch_add(1);
              },
              &post);
        }
      }
    });
  for (auto& th : threads) th.join();
  for (int i = 0; i < 5000 && continuations_done.load() < kThreads * kEach / 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_EQ(continuations_done.load(), kThreads * kEach / 2);
  std::lock_guard hold(mu);
  EXPECT_EQ(counter, long{kThreads} * kEach);
  EXPECT_EQ(overlaps.load(), 0);
}

}  // namespace
}  // namespace relais
