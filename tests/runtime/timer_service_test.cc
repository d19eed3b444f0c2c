// Durable timers with an injected clock: nothing sleeps.
#include <gtest/gtest.h>

#include "tests/runtime/runtime_fixture.h"
#include "tests/testing/status_matchers.h"

namespace relais::runtime {
namespace {

using relais::testing::IsOk;
using testing::T;

class TimerServiceTest : public ::testing::TestWithParam<relais::testing::StoreKind> {
 protected:
  TimerServiceTest() : clock_(T("2003-02-03T09:00:00Z")), sut_(GetParam().make(clock_)) {}
  EventStore& store() { return sut_->store(); }
  FireReport Fire(testing::Runtime& rt) {
    auto r = rt.timers.FireDue();
    EXPECT_THAT(r, IsOk());
    return r.ok() ? *r : FireReport{};
  }

  ManualClock clock_;
  std::unique_ptr<relais::testing::StoreUnderTest> sut_;
};

TEST_P(TimerServiceTest, FirstYearFollowUpFiresTwelveMonthsAfterTheStartExactlyOnce) {
  testing::Runtime rt(store(), clock_);
  rt.Create("p1");
  rt.ToPortage("p1");
  clock_.Set(T("2004-02-03T08:59:59Z"));
  Fire(rt);
  EXPECT_EQ(rt.Count("p1", "bilan_premiere_annee_du"), 0u) << "one second early";
  clock_.Set(T("2004-02-03T09:00:00Z"));
  Fire(rt);
  EXPECT_EQ(rt.Count("p1", "bilan_premiere_annee_du"), 1u);
  EXPECT_EQ(rt.projects.Load("p1")->state.fields["bilan_attendu"], true);
  clock_.Advance(std::chrono::hours(24 * 400));
  Fire(rt);
  EXPECT_EQ(rt.Count("p1", "bilan_premiere_annee_du"), 1u) << "fired once, never again";
  auto events = store().ReadStream(ProjectStream("p1"), 1, 1000);
  for (const auto& e : *events)
    if (e.type == "bilan_premiere_annee_du") {
      EXPECT_EQ(e.metadata.actor, "system:timers");
    }
}

TEST_P(TimerServiceTest, ReviewsRepeatThreeTimesAYear) {
  testing::Runtime rt(store(), clock_);
  rt.Create("p1");
  for (int month = 1; month <= 24; ++month) {
    clock_.Set(workflow::AddDuration(T("2003-02-03T09:00:00Z"), {0, month}));
    Fire(rt);
  }
  EXPECT_EQ(rt.Count("p1", "point_elu_du"), 6u) << "3 a year for 2 years";
  auto pending = rt.timers.PendingFor("p1");
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].due, T("2005-06-03T09:00:00Z"));
}

TEST_P(TimerServiceTest, OccurrencesMissedWhileDownFireOnceThenTheScheduleResumes) {
  testing::Runtime rt(store(), clock_);
  rt.Create("p1");
  clock_.Set(T("2005-01-10T09:00:00Z"));  // nearly two years without a FireDue
  auto report = Fire(rt);
  EXPECT_EQ(report.fired, 1u);
  EXPECT_EQ(rt.Count("p1", "point_elu_du"), 1u);
  EXPECT_EQ((*rt.timers.PendingFor("p1"))[0].due, T("2005-02-03T09:00:00Z"));
}

TEST_P(TimerServiceTest, TimersEndWithTheirPhaseOrTheProject) {
  testing::Runtime rt(store(), clock_);
  rt.Create("p1");
  rt.ToPortage("p1");
  rt.Accept("p1", "abandonner", {{"motif", "plus de financement"}});
  EXPECT_TRUE(rt.timers.PendingFor("p1")->empty());
  clock_.Set(T("2006-01-01T00:00:00Z"));
  EXPECT_EQ(Fire(rt).fired, 0u);
  EXPECT_EQ(rt.Count("p1", "bilan_premiere_annee_du"), 0u);
  EXPECT_FALSE(rt.timers.NextDue()->has_value());
}

TEST_P(TimerServiceTest, NextDueIsTheEarliestPendingTimer) {
  testing::Runtime rt(store(), clock_);
  EXPECT_FALSE(rt.timers.NextDue()->has_value());
  rt.Create("p1");
  clock_.Advance(std::chrono::hours(24));
  rt.Create("p2");
  auto next = rt.timers.NextDue();
  ASSERT_TRUE(next.ok() && next->has_value());
  EXPECT_EQ(**next, T("2003-06-03T09:00:00Z"));
}

INSTANTIATE_TEST_SUITE_P(AllStores, TimerServiceTest, ::testing::ValuesIn(relais::testing::AllStoreKindsWithPostgres()),
                         [](const auto& p) { return p.param.name; });

// A restart: the timer that fell due while everything was closed fires once.
TEST(TimerRestartTest, ATimerDueWhileClosedFiresExactlyOnceAtStart) {
  relais::testing::TempDir dir;
  ManualClock clock(T("2003-02-03T09:00:00Z"));
  {
    auto store = testing::OpenRocksStore(dir.Sub("store"), clock);
    ASSERT_NE(store, nullptr);
    testing::Runtime rt(*store, clock);
    rt.Create("p1");
    rt.ToPortage("p1");
  }
  clock.Set(T("2004-03-01T00:00:00Z"));  // the 12-month follow-up fell due while closed
  for (int start = 0; start < 3; ++start) {
    auto store = testing::OpenRocksStore(dir.Sub("store"), clock);
    ASSERT_NE(store, nullptr);
    testing::Runtime rt(*store, clock);
    auto report = rt.timers.FireDue();
    ASSERT_THAT(report, IsOk());
    EXPECT_EQ(rt.Count("p1", "bilan_premiere_annee_du"), 1u) << "start " << start;
  }
}

}  // namespace
}  // namespace relais::runtime
