// TimerWrites: the due entry / of-key pair stays consistent whatever a batch
// does to a timer (arm twice, consume then re-arm, consume a replaced entry).
#include "engine/runtime/timer_writes.h"

#include <gtest/gtest.h>

#include "engine/store/memory_event_store.h"
#include "tests/runtime/runtime_fixture.h"
#include "tests/testing/status_matchers.h"

namespace relais::runtime {
namespace {

using relais::testing::IsOk;
using testing::T;

TEST(DueTimerTest, JsonTextIsTheDumpOfToJson) {
  DueTimer t;
  t.project_id = "p1";
  t.timer_id = "rappel";
  t.fires = "rappel_du";
  t.due = T("2003-02-03T09:00:00.250Z");
  EXPECT_EQ(t.ToJsonText(), DumpJson(t.ToJson()));
  t.repeating = true;
  t.period = workflow::IsoDuration{.months = 18};
  t.payload = {{"kind", "jalon « élu »"}, {"n", 3}};
  t.timer_id = "a \"quoted\" id";
  EXPECT_EQ(t.ToJsonText(), DumpJson(t.ToJson()));
  EXPECT_EQ(t.DueKey().substr(kTimerDuePrefix.size(), 16), "0003b5c06142d490");
}

class TimerWritesTest : public ::testing::Test {
 protected:
  TimerWritesTest() : clock_(T("2003-02-03T09:00:00Z")), store_(clock_) {}

  DueTimer Timer(const std::string& due) {
    DueTimer t;
    t.project_id = "p1";
    t.timer_id = "rappel";
    t.fires = "rappel_du";
    t.due = T(due.c_str());
    return t;
  }
  // Commits a batch built by `build`.
  void Commit(const std::function<void(TimerWrites&)>& build) {
    KvWrites writes;
    TimerWrites timers(store_, writes);
    build(timers);
    ASSERT_THAT(store_.KvWrite(writes), IsOk());
  }
  std::vector<std::string> DueKeys() {
    auto entries = store_.KvScan(std::string(kTimerDuePrefix), "", 100);
    EXPECT_THAT(entries, IsOk());
    std::vector<std::string> out;
    for (const KvEntry& e : *entries) out.push_back(e.key);
    return out;
  }
  std::optional<std::string> OfKey() {
    auto of = store_.KvGet(TimerOfKey("p1", "rappel"));
    EXPECT_THAT(of, IsOk());
    return *of;
  }

  ManualClock clock_;
  MemoryEventStore store_;
};

TEST_F(TimerWritesTest, ArmingTwiceInOneBatchLeavesOnlyTheLastEntry) {
  Commit([&](TimerWrites& t) {
    ASSERT_THAT(t.Arm(Timer("2003-03-01T00:00:00Z")), IsOk());
    ASSERT_THAT(t.Arm(Timer("2003-04-01T00:00:00Z")), IsOk());
  });
  EXPECT_EQ(DueKeys(), std::vector<std::string>{Timer("2003-04-01T00:00:00Z").DueKey()});
  EXPECT_EQ(OfKey(), Timer("2003-04-01T00:00:00Z").DueKey());
}

TEST_F(TimerWritesTest, ReArmingInALaterBatchReplacesTheStoredEntry) {
  Commit([&](TimerWrites& t) { ASSERT_THAT(t.Arm(Timer("2003-03-01T00:00:00Z")), IsOk()); });
  Commit([&](TimerWrites& t) { ASSERT_THAT(t.Arm(Timer("2003-05-01T00:00:00Z")), IsOk()); });
  EXPECT_EQ(DueKeys(), std::vector<std::string>{Timer("2003-05-01T00:00:00Z").DueKey()});
  EXPECT_EQ(OfKey(), Timer("2003-05-01T00:00:00Z").DueKey());
}

TEST_F(TimerWritesTest, ConsumingTheCurrentEntryThenArmingTheNextKeepsOnePair) {
  Commit([&](TimerWrites& t) { ASSERT_THAT(t.Arm(Timer("2003-03-01T00:00:00Z")), IsOk()); });
  Commit([&](TimerWrites& t) {
    auto current = t.Consume(Timer("2003-03-01T00:00:00Z"));
    ASSERT_THAT(current, IsOk());
    EXPECT_TRUE(*current);
    ASSERT_THAT(t.Arm(Timer("2003-07-01T00:00:00Z")), IsOk());
  });
  EXPECT_EQ(DueKeys(), std::vector<std::string>{Timer("2003-07-01T00:00:00Z").DueKey()});
  EXPECT_EQ(OfKey(), Timer("2003-07-01T00:00:00Z").DueKey());
}

TEST_F(TimerWritesTest, ANextStageArmedAfterItsFiringWritesItsOfKeyOnce) {
  Commit([&](TimerWrites& t) { ASSERT_THAT(t.Arm(Timer("2003-03-01T00:00:00Z")), IsOk()); });
  KvWrites writes;
  TimerWrites t(store_, writes);
  ASSERT_THAT(t.Consume(Timer("2003-03-01T00:00:00Z")), IsOk());
  ASSERT_THAT(t.Arm(Timer("2003-07-01T00:00:00Z")), IsOk());
  // The old due entry goes, the new one comes, the of-key is written once (as a put).
  ASSERT_EQ(writes.ops.size(), 3u);
  int of_writes = 0;
  for (const auto& op : writes.ops)
    if (op.key == TimerOfKey("p1", "rappel")) {
      ++of_writes;
      EXPECT_EQ(op.value, Timer("2003-07-01T00:00:00Z").DueKey());
    }
  EXPECT_EQ(of_writes, 1);
  // Cancelled, then armed again, in one batch: the same.
  ASSERT_THAT(store_.KvWrite(writes), IsOk());
  KvWrites again;
  TimerWrites u(store_, again);
  ASSERT_THAT(u.Cancel("p1", "rappel"), IsOk());
  ASSERT_THAT(u.Arm(Timer("2003-09-01T00:00:00Z")), IsOk());
  ASSERT_THAT(store_.KvWrite(again), IsOk());
  EXPECT_EQ(again.ops.size(), 3u);
  EXPECT_EQ(DueKeys(), std::vector<std::string>{Timer("2003-09-01T00:00:00Z").DueKey()});
  EXPECT_EQ(OfKey(), Timer("2003-09-01T00:00:00Z").DueKey());
}

TEST_F(TimerWritesTest, ConsumingAReplacedEntryLeavesTheNewerOneArmed) {
  // A scan found the March entry; the timer was re-armed for May before it fired.
  Commit([&](TimerWrites& t) { ASSERT_THAT(t.Arm(Timer("2003-05-01T00:00:00Z")), IsOk()); });
  Commit([&](TimerWrites& t) {
    auto current = t.Consume(Timer("2003-03-01T00:00:00Z"));
    ASSERT_THAT(current, IsOk());
    EXPECT_FALSE(*current);
  });
  EXPECT_EQ(DueKeys(), std::vector<std::string>{Timer("2003-05-01T00:00:00Z").DueKey()});
  EXPECT_EQ(OfKey(), Timer("2003-05-01T00:00:00Z").DueKey());
}

TEST_F(TimerWritesTest, CancelRemovesThePairAndIsANoOpWhenNothingIsArmed) {
  Commit([&](TimerWrites& t) { ASSERT_THAT(t.Cancel("p1", "rappel"), IsOk()); });
  EXPECT_TRUE(DueKeys().empty());
  Commit([&](TimerWrites& t) { ASSERT_THAT(t.Arm(Timer("2003-03-01T00:00:00Z")), IsOk()); });
  Commit([&](TimerWrites& t) { ASSERT_THAT(t.Cancel("p1", "rappel"), IsOk()); });
  EXPECT_TRUE(DueKeys().empty());
  EXPECT_EQ(OfKey(), std::nullopt);
}

}  // namespace
}  // namespace relais::runtime
