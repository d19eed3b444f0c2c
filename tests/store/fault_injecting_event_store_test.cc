#include "engine/store/fault_injecting_event_store.h"

#include <gtest/gtest.h>

#include "tests/store/store_factory.h"
#include "tests/testing/status_matchers.h"

namespace relais {
namespace {

using testing::IsOk;
using testing::MakeEvent;
using testing::StatusIs;

TEST(FaultInjectingEventStoreTest, FailsTheChosenAppendsAndWritesNothing) {
  MemoryEventStore base;
  FaultInjectingEventStore store(base);
  store.FailNextAppends(2);
  EXPECT_THAT(store.Append("p", ExpectedVersion::Any(), {MakeEvent("a")}), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(store.Append("p", ExpectedVersion::Any(), {MakeEvent("a")}), StatusIs(StatusCode::kUnavailable));
  EXPECT_EQ(base.LastPosition(), 0u);
  EXPECT_THAT(store.Append("p", ExpectedVersion::Any(), {MakeEvent("a")}), IsOk());
  EXPECT_EQ(store.injected_failures(), 2u);
}

TEST(FaultInjectingEventStoreTest, FailsEverythingUntilHealed) {
  MemoryEventStore base;
  FaultInjectingEventStore store(base);
  store.FailAllAppends(Unavailable("disk on fire"));
  KvWrites w;
  w.Put("k", "v");
  EXPECT_THAT(store.KvWrite(w), StatusIs(StatusCode::kUnavailable, "disk on fire"));
  EXPECT_THAT(store.Append("p", ExpectedVersion::Any(), {MakeEvent("a")}), StatusIs(StatusCode::kUnavailable));
  store.Heal();
  EXPECT_THAT(store.KvWrite(w), IsOk());
  EXPECT_EQ(store.KvGet("k")->value_or(""), "v");
}

}  // namespace
}  // namespace relais
