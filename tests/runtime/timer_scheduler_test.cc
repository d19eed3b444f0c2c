// The Asio side of timers: a real io_context, the injected clock; the test
// waits on store commits, never on a sleep.
#include "engine/runtime/timer_scheduler.h"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>

#include "tests/runtime/runtime_fixture.h"

namespace relais::runtime {
namespace {

using testing::T;

class TimerSchedulerTest : public ::testing::Test {
 protected:
  TimerSchedulerTest() : clock_(T("2003-02-03T09:00:00Z")), store_(clock_), rt_(store_, clock_) {}
  ~TimerSchedulerTest() override {
    work_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }
  void Run() {
    thread_ = std::thread([this] { io_.run(); });
  }

  ManualClock clock_;
  MemoryEventStore store_;
  testing::Runtime rt_;
  boost::asio::io_context io_;
  std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_ =
      std::make_unique<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>(io_.get_executor());
  std::thread thread_;
};

TEST_F(TimerSchedulerTest, FiresWhatFellDueBeforeStart) {
  rt_.Create("p1");
  clock_.Set(T("2003-06-03T09:00:01Z"));  // the first review fell due while "down"
  uint64_t before = store_.LastPosition();
  TimerScheduler scheduler(io_, store_, rt_.timers, clock_);
  scheduler.Start();
  Run();
  ASSERT_TRUE(store_.WaitForPosition(before + 1, std::chrono::seconds(10)));
  EXPECT_EQ(rt_.Count("p1", "point_elu_du"), 1u);
  scheduler.Stop();
}

TEST_F(TimerSchedulerTest, ACommitWakesItForATimerDueNow) {
  TimerScheduler scheduler(io_, store_, rt_.timers, clock_);
  scheduler.Start();
  Run();
  rt_.Create("p1");  // arms a review 4 months out: the scheduler plans a long wait
  clock_.Set(T("2003-06-03T09:00:00Z"));
  // Any commit makes it re-plan: the review is now due and fires without waiting out the old plan.
  uint64_t before = store_.LastPosition();
  rt_.Accept("p1", "partenaire_rejoint", {{"partenaire", "AFPA"}});
  ASSERT_TRUE(store_.WaitForPosition(before + 2, std::chrono::seconds(10)));
  EXPECT_EQ(rt_.Count("p1", "point_elu_du"), 1u);
  scheduler.Stop();
}

}  // namespace
}  // namespace relais::runtime
