// CommitFollower: a run after commits, bursts coalesced; with a minimum
// interval, runs start at least that far apart and a burst of commits in
// between is one later run (the timer scheduler's follower).
#include "engine/runtime/commit_follower.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/store/memory_event_store.h"
#include "tests/store/store_factory.h"

namespace relais::runtime {
namespace {

using Steady = std::chrono::steady_clock;

template <typename Pred>
bool Eventually(Pred pred, std::chrono::milliseconds timeout) {
  for (auto until = Steady::now() + timeout; Steady::now() < until;) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return pred();
}

class CommitFollowerTest : public ::testing::Test {
 protected:
  ~CommitFollowerTest() override {
    work_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }
  std::unique_ptr<CommitFollower> Follow(Steady::duration min_interval) {
    auto follower = std::make_unique<CommitFollower>(
        boost::asio::make_strand(io_), store_,
        [this] {
          std::lock_guard lock(mu_);
          runs_.push_back(Steady::now());
        },
        min_interval);
    if (!thread_.joinable()) thread_ = std::thread([this] { io_.run(); });
    return follower;
  }
  size_t runs() {
    std::lock_guard lock(mu_);
    return runs_.size();
  }
  Steady::time_point run(size_t i) {
    std::lock_guard lock(mu_);
    return runs_.at(i);
  }
  void Commit() { ASSERT_TRUE(store_.Append("s", ExpectedVersion::Any(), {relais::testing::MakeEvent("e")}).ok()); }

  MemoryEventStore store_;
  boost::asio::io_context io_;
  std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_ =
      std::make_unique<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>(io_.get_executor());
  std::thread thread_;
  std::mutex mu_;
  std::vector<Steady::time_point> runs_;
};

TEST_F(CommitFollowerTest, WithoutAnIntervalEachCommitLeadsToARun) {
  auto follower = Follow(Steady::duration::zero());
  follower->Start();
  ASSERT_TRUE(Eventually([&] { return runs() == 1; }, std::chrono::seconds(5)));
  Commit();
  ASSERT_TRUE(Eventually([&] { return runs() == 2; }, std::chrono::seconds(5)));
  Commit();
  EXPECT_TRUE(Eventually([&] { return runs() == 3; }, std::chrono::seconds(5)));
}

TEST_F(CommitFollowerTest, WithAnIntervalABurstOfCommitsIsOneRunThatFarAfterTheLast) {
  constexpr auto kInterval = std::chrono::milliseconds(300);
  auto follower = Follow(kInterval);
  follower->Start();
  ASSERT_TRUE(Eventually([&] { return runs() == 1; }, std::chrono::seconds(5)));
  for (int i = 0; i < 20; ++i) Commit();
  ASSERT_TRUE(Eventually([&] { return runs() >= 2; }, std::chrono::seconds(5)));
  EXPECT_GE(run(1) - run(0), kInterval) << "a run started before the interval had passed";
  // The burst was one run: nothing else is pending once the interval has
  // passed again.
  std::this_thread::sleep_for(kInterval + std::chrono::milliseconds(200));
  EXPECT_EQ(runs(), 2u);
  // After a quiet interval, a commit runs at once again (no timer: the
  // last run is far enough behind).
  Commit();
  ASSERT_TRUE(Eventually([&] { return runs() == 3; }, std::chrono::seconds(5)));
  EXPECT_GE(run(2) - run(1), kInterval);
}

}  // namespace
}  // namespace relais::runtime
