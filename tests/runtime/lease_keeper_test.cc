// LeaseKeeper: two nodes' keepers on one store. One holds at a time; a
// stopped holder hands over at once; a holder cut off from the store closes
// its gate by its own deadline, before another node can take over, and its
// late writes are fenced off.
#include "engine/runtime/lease_keeper.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "engine/store/forwarding_event_store.h"
#include "engine/store/memory_event_store.h"
#include "tests/testing/status_matchers.h"

namespace relais::runtime {
namespace {

using namespace std::chrono_literals;
using testing::IsOk;
using testing::StatusIs;

// A node's view of the store that can lose its connection to the leases.
class CutOffStore final : public ForwardingEventStore {
 public:
  using ForwardingEventStore::ForwardingEventStore;
  std::atomic<bool> cut{false};
  StatusOr<LeaseGrant> AcquireLease(const std::string& l, const std::string& h, std::chrono::milliseconds t) override {
    if (cut) return Unavailable("connection lost (test)");
    return base_.AcquireLease(l, h, t);
  }
};

// Waits (bounded) for pred.
template <typename Pred>
bool Eventually(Pred pred, std::chrono::milliseconds limit = 5s) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

struct Changes {
  std::atomic<int> taken{0}, lost{0};
  LeaseKeeper::ChangeHandler handler() {
    return [this](bool held) { ++(held ? taken : lost); };
  }
};

const LeaseOptions kShort{600ms, 100ms};

TEST(LeaseKeeperTest, ALoneNodeHoldsAtOnceAndOneOfTwoHolds) {
  MemoryEventStore store;
  LeaseKeeper a(store, "background", "a", kShort);
  Changes ca;
  a.Start(ca.handler());
  EXPECT_TRUE(a.open()) << "taken by Start itself, before any wait";
  EXPECT_EQ(ca.taken, 1);
  LeaseKeeper b(store, "background", "b", kShort);
  Changes cb;
  b.Start(cb.handler());
  std::this_thread::sleep_for(3 * kShort.ttl);  // many renewals by a, many tries by b
  EXPECT_TRUE(a.open());
  EXPECT_FALSE(b.open());
  EXPECT_EQ(ca.taken, 1) << "renewals are the same holding";
  EXPECT_EQ(ca.lost, 0);
  EXPECT_EQ(cb.taken, 0);
  EXPECT_EQ(b.fence(), std::nullopt);
}

TEST(LeaseKeeperTest, AStoppedHolderHandsOverWithinARenewInterval) {
  MemoryEventStore store;
  LeaseKeeper a(store, "background", "a", kShort), b(store, "background", "b", kShort);
  Changes ca, cb;
  a.Start(ca.handler());
  b.Start(cb.handler());
  const Fence first = *a.fence();
  const auto stopped = std::chrono::steady_clock::now();
  a.Stop();
  EXPECT_FALSE(a.open());
  EXPECT_EQ(ca.lost, 1);
  ASSERT_TRUE(Eventually([&] { return b.open(); }));
  EXPECT_LT(std::chrono::steady_clock::now() - stopped, kShort.renew_interval + 200ms) << "released, not expired";
  EXPECT_GT(b.fence()->token, first.token);
  EXPECT_EQ(a.fence(), first) << "the lost holding's fence is kept, to be refused";
}

TEST(LeaseKeeperTest, AHolderCutOffClosesItsGateBeforeAnotherTakesOverAndItsWritesAreFenced) {
  MemoryEventStore store;
  CutOffStore a_view(store);
  LeaseKeeper a(a_view, "background", "a", kShort), b(store, "background", "b", kShort);
  Changes ca, cb;
  a.Start(ca.handler());
  b.Start(cb.handler());
  ASSERT_TRUE(a.open());
  const Fence a_fence = *a.fence();

  a_view.cut = true;
  // Sample both gates until b holds: they are never open together.
  bool both = false;
  std::chrono::steady_clock::time_point a_closed{};
  ASSERT_TRUE(Eventually([&] {
    const bool a_open = a.open(), b_open = b.open();
    both = both || (a_open && b_open);
    if (!a_open && a_closed == std::chrono::steady_clock::time_point{}) a_closed = std::chrono::steady_clock::now();
    return b_open;
  }));
  EXPECT_FALSE(both);
  EXPECT_TRUE(Eventually([&] { return ca.lost == 1; })) << "told, not only by open()";
  EXPECT_GT(b.fence()->token, a_fence.token);

  KvWrites late;
  late.Put("q/1", "a's outcome");
  late.fence = a_fence;
  EXPECT_THAT(store.KvWrite(late), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_EQ(*store.KvGet("q/1"), std::nullopt);

  a_view.cut = false;  // back: b holds, a waits
  std::this_thread::sleep_for(3 * kShort.renew_interval);
  EXPECT_FALSE(a.open());
  EXPECT_TRUE(b.open());
}

}  // namespace
}  // namespace relais::runtime
