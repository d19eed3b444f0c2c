// RecentEvents: only a contiguous run from the asked position is served,
// never above the last committed position, and at most capacity events are
// held (the highest positions).
#include "engine/store/recent_events.h"

#include <gtest/gtest.h>

namespace relais {
namespace {

RecordedEvent At(uint64_t position, std::string id = "") {
  RecordedEvent e;
  e.position = position;
  e.stream_id = "s";
  e.event_id = id.empty() ? "e" + std::to_string(position) : id;
  return e;
}

std::vector<uint64_t> Positions(const std::vector<RecordedEvent>& events) {
  std::vector<uint64_t> out;
  for (const RecordedEvent& e : events) out.push_back(e.position);
  return out;
}

TEST(RecentEventsTest, ServesTheRunFromTheAskedPositionUpToAHole) {
  RecentEvents recent(100);
  recent.Add({At(3), At(4), At(5)});
  recent.Add({At(8), At(9)});  // 6 and 7: another node's commit not heard yet
  EXPECT_EQ(Positions(recent.Take(3, 10, 9)), (std::vector<uint64_t>{3, 4, 5}));
  EXPECT_EQ(Positions(recent.Take(4, 10, 9)), (std::vector<uint64_t>{4, 5}));
  EXPECT_TRUE(recent.Take(6, 10, 9).empty()) << "a hole is read from the database";
  EXPECT_TRUE(recent.Take(2, 10, 9).empty());
  EXPECT_EQ(Positions(recent.Take(8, 10, 9)), (std::vector<uint64_t>{8, 9}));
  recent.Add({At(6), At(7)});
  EXPECT_EQ(Positions(recent.Take(3, 10, 9)), (std::vector<uint64_t>{3, 4, 5, 6, 7, 8, 9}));
}

TEST(RecentEventsTest, StopsAtTheCountAndAtTheLastCommittedPosition) {
  RecentEvents recent(100);
  recent.Add({At(1), At(2), At(3), At(4)});
  EXPECT_EQ(Positions(recent.Take(1, 2, 4)), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(Positions(recent.Take(1, 10, 3)), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_TRUE(recent.Take(4, 10, 3).empty());
  EXPECT_TRUE(recent.Take(1, 0, 4).empty());
}

TEST(RecentEventsTest, KeepsTheHighestPositionsUpToItsCapacity) {
  RecentEvents recent(3);
  recent.Add({At(1), At(2), At(3), At(4)});
  EXPECT_EQ(recent.size(), 3u);
  EXPECT_TRUE(recent.Take(1, 10, 10).empty());
  recent.Add({At(5)});
  EXPECT_EQ(Positions(recent.Take(3, 10, 10)), (std::vector<uint64_t>{3, 4, 5}));
  EXPECT_EQ(recent.size(), 3u);
}

TEST(RecentEventsTest, AnEventAlreadyHeldIsKeptAsIsAndNoCapacityHoldsNothing) {
  RecentEvents recent(10);
  recent.Add({At(1, "first")});
  recent.Add({At(1, "second")});
  auto held = recent.Take(1, 10, 1);
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].event_id, "first");
  RecentEvents none(0);
  none.Add({At(1)});
  EXPECT_EQ(none.size(), 0u);
  EXPECT_TRUE(none.Take(1, 10, 1).empty());
}

}  // namespace
}  // namespace relais
