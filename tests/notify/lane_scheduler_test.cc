// LaneScheduler: one attempt at a time per lane, the per-endpoint limit
// (blocked lanes start as slots free), waits released on time, lanes
// forgotten.
#include "engine/notify/lane_scheduler.h"

#include <gtest/gtest.h>

#include "engine/util/time_format.h"

namespace relais::notify {
namespace {

using namespace std::chrono_literals;

const TimePoint kNow = FromMicros(1'700'000'000'000'000);

std::vector<std::string> StartAll(LaneScheduler& lanes) {
  std::vector<std::string> started;
  while (auto lane = lanes.NextToStart()) {
    lanes.Started(*lane);
    started.push_back(*lane);
  }
  return started;
}

TEST(LaneSchedulerTest, ALaneStartsOnceUntilItsAttemptEnds) {
  LaneScheduler lanes(16);
  lanes.Enqueue("e1/p1");
  lanes.Enqueue("e1/p1");
  EXPECT_EQ(StartAll(lanes), std::vector<std::string>{"e1/p1"});
  lanes.Enqueue("e1/p1");  // busy: not ready again
  EXPECT_EQ(lanes.NextToStart(), std::nullopt);
  lanes.Finished("e1/p1");
  lanes.Enqueue("e1/p1");
  EXPECT_EQ(StartAll(lanes), std::vector<std::string>{"e1/p1"});
}

TEST(LaneSchedulerTest, AnEndpointAtItsLimitBlocksItsLanesOnlyAndASlotUnblocksOne) {
  LaneScheduler lanes(2);
  for (const char* l : {"e1/a", "e1/b", "e1/c", "e1/d", "e2/a"}) lanes.Enqueue(l);
  EXPECT_EQ(StartAll(lanes), (std::vector<std::string>{"e1/a", "e1/b", "e2/a"}));
  lanes.Finished("e1/a");
  EXPECT_EQ(StartAll(lanes), std::vector<std::string>{"e1/c"}) << "one slot, one blocked lane";
  lanes.Finished("e2/a");
  EXPECT_EQ(StartAll(lanes), std::vector<std::string>{}) << "another endpoint's slot unblocks nothing";
  lanes.Finished("e1/b");
  EXPECT_EQ(StartAll(lanes), std::vector<std::string>{"e1/d"});
}

// One lane per e-mail: a finished lane is re-enqueued to look for its next
// entry and may be blocked behind the lane its slot went to; when it is
// released and turns out empty (the caller forgets it without starting it),
// the slot it held must not stay idle while another lane is blocked.
TEST(LaneSchedulerTest, ASlotReleasedToALaneThatDoesNotStartGoesToTheNextBlockedLane) {
  LaneScheduler lanes(1);
  lanes.Enqueue("smtp/a");
  lanes.Enqueue("smtp/b");
  EXPECT_EQ(StartAll(lanes), std::vector<std::string>{"smtp/a"});
  lanes.Finished("smtp/a");  // b gets the slot
  lanes.Enqueue("smtp/a");   // a looks for its next entry: blocked behind b
  EXPECT_EQ(StartAll(lanes), std::vector<std::string>{"smtp/b"});
  lanes.Enqueue("smtp/c");
  EXPECT_EQ(StartAll(lanes), std::vector<std::string>{});
  lanes.Finished("smtp/b");  // a gets the slot...
  lanes.Forget("smtp/b");
  auto next = lanes.NextToStart();
  ASSERT_EQ(next, std::optional<std::string>("smtp/a"));
  lanes.Forget("smtp/a");  // ...and has nothing left to send
  EXPECT_EQ(StartAll(lanes), std::vector<std::string>{"smtp/c"}) << "the free slot goes to c";
}

TEST(LaneSchedulerTest, AWaitingLaneIsReadyAtItsTimeAndNotBefore) {
  LaneScheduler lanes(16);
  lanes.Enqueue("e1/p1");
  ASSERT_EQ(StartAll(lanes).size(), 1u);
  lanes.Finished("e1/p1");
  lanes.WaitUntil("e1/p1", kNow + 5s);
  EXPECT_TRUE(lanes.IsWaiting("e1/p1"));
  EXPECT_EQ(lanes.NextWake(), kNow + 5s);
  lanes.Enqueue("e1/p1");  // new work while waiting: it waits still
  lanes.ReleaseDue(kNow + 4s);
  EXPECT_EQ(lanes.NextToStart(), std::nullopt);
  lanes.ReleaseDue(kNow + 5s);
  EXPECT_FALSE(lanes.IsWaiting("e1/p1"));
  EXPECT_EQ(StartAll(lanes), std::vector<std::string>{"e1/p1"});
  EXPECT_EQ(lanes.NextWake(), std::nullopt);
}

TEST(LaneSchedulerTest, AForgottenLaneNeitherStartsNorWaits) {
  LaneScheduler lanes(16);
  lanes.Enqueue("e1/p1");
  lanes.Enqueue("e1/p2");
  lanes.Forget("e1/p1");
  EXPECT_EQ(StartAll(lanes), std::vector<std::string>{"e1/p2"});
  lanes.WaitUntil("e1/p1", kNow);  // unknown: no-op
  lanes.ReleaseDue(kNow);
  EXPECT_EQ(lanes.NextToStart(), std::nullopt);
  EXPECT_EQ(lanes.size(), 1u);
  EXPECT_EQ(LaneScheduler::EndpointOf("e1/p2"), "e1");
}

}  // namespace
}  // namespace relais::notify
