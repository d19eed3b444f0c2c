#include "engine/server/connection_registry.h"

#include <gtest/gtest.h>

#include <thread>

namespace relais::server {
namespace {

using namespace std::chrono_literals;
using Admission = ConnectionRegistry::Admission;

class FakeConnection : public Connection {
 public:
  void BeginDrain() override { ++drains; }
  void ForceClose() override { ++closes; }
  void CloseIdle() override { ++idle_closes; }
  int drains = 0;
  int closes = 0;
  int idle_closes = 0;
};

ConnectionLimits Limits(size_t max, size_t per_client, size_t reclaim_at) {
  ConnectionLimits limits;
  limits.max_connections = max;
  limits.max_per_client = per_client;
  limits.reclaim_idle_at = reclaim_at;
  return limits;
}

TEST(ConnectionRegistryTest, EnforcesTheMaximumWhenNoneIsIdle) {
  ConnectionRegistry registry(Limits(2, 10, 2));
  auto a = std::make_shared<FakeConnection>(), b = std::make_shared<FakeConnection>(),
       c = std::make_shared<FakeConnection>();
  auto ra = registry.TryAdd(a, "10.0.0.1");
  auto rb = registry.TryAdd(b, "10.0.0.2");
  EXPECT_EQ(ra.admission, Admission::kAdmitted);
  EXPECT_NE(ra.id, 0u);
  EXPECT_NE(ra.id, rb.id);
  auto rc = registry.TryAdd(c, "10.0.0.3");
  EXPECT_EQ(rc.admission, Admission::kServerFull);
  EXPECT_EQ(rc.id, 0u);
  EXPECT_EQ(rc.reclaimed, nullptr);
  registry.Remove(ra.id);
  EXPECT_EQ(registry.size(), 1u);
  EXPECT_EQ(registry.TryAdd(c, "10.0.0.3").admission, Admission::kAdmitted);
}

TEST(ConnectionRegistryTest, BoundsConnectionsPerClientAddress) {
  ConnectionRegistry registry(Limits(100, 2, 100));
  auto a = std::make_shared<FakeConnection>();
  uint64_t first = registry.TryAdd(a, "10.0.0.1").id;
  EXPECT_EQ(registry.TryAdd(a, "10.0.0.1").admission, Admission::kAdmitted);
  EXPECT_EQ(registry.TryAdd(a, "10.0.0.1").admission, Admission::kClientFull);
  EXPECT_EQ(registry.TryAdd(a, "10.0.0.2").admission, Admission::kAdmitted);
  EXPECT_EQ(registry.client_count("10.0.0.1"), 2u);
  registry.Remove(first);
  EXPECT_EQ(registry.client_count("10.0.0.1"), 1u);
  EXPECT_EQ(registry.TryAdd(a, "10.0.0.1").admission, Admission::kAdmitted);
}

TEST(ConnectionRegistryTest, NearTheLimitTheLongestIdleConnectionIsReclaimed) {
  ConnectionRegistry registry(Limits(4, 10, 3));
  std::vector<std::shared_ptr<FakeConnection>> c;
  std::vector<uint64_t> ids;
  for (int i = 0; i < 3; ++i) {
    c.push_back(std::make_shared<FakeConnection>());
    ids.push_back(registry.TryAdd(c.back(), "10.0.0.1").id);
  }
  registry.MarkIdle(ids[1]);
  registry.MarkIdle(ids[0]);  // idle after ids[1]
  registry.MarkIdle(ids[2]);
  registry.MarkBusy(ids[2]);  // a request began: not reclaimable
  EXPECT_EQ(registry.idle_count(), 2u);

  auto newcomer = std::make_shared<FakeConnection>();
  auto added = registry.TryAdd(newcomer, "10.0.0.9");
  EXPECT_EQ(added.admission, Admission::kAdmitted);
  ASSERT_NE(added.reclaimed, nullptr);
  EXPECT_EQ(added.reclaimed.get(), c[1].get()) << "the longest idle goes first";
  // It no longer counts, but stays registered (and drained) until it closes.
  EXPECT_EQ(registry.counted(), 3u);
  EXPECT_EQ(registry.size(), 4u);
  EXPECT_EQ(registry.idle_count(), 1u);
  registry.MarkIdle(ids[1]);  // too late: reclaimed connections are never idle again
  EXPECT_EQ(registry.idle_count(), 1u);
  registry.Remove(ids[1]);
  EXPECT_EQ(registry.size(), 3u);
  EXPECT_EQ(registry.counted(), 3u);
}

TEST(ConnectionRegistryTest, AFullRegistryAdmitsANewcomerInPlaceOfAnIdleOne) {
  ConnectionRegistry registry(Limits(2, 10, 2));
  auto a = std::make_shared<FakeConnection>(), b = std::make_shared<FakeConnection>();
  uint64_t ida = registry.TryAdd(a, "10.0.0.1").id;
  registry.TryAdd(b, "10.0.0.1");
  registry.MarkIdle(ida);
  auto added = registry.TryAdd(std::make_shared<FakeConnection>(), "10.0.0.2");
  EXPECT_EQ(added.admission, Admission::kAdmitted);
  EXPECT_EQ(added.reclaimed.get(), a.get());
  EXPECT_EQ(registry.client_count("10.0.0.1"), 1u);
  EXPECT_EQ(registry.TryAdd(std::make_shared<FakeConnection>(), "10.0.0.3").admission, Admission::kServerFull);
}

TEST(ConnectionRegistryTest, DrainingRefusesNewConnectionsAndListsLiveOnes) {
  ConnectionRegistry registry(Limits(10, 10, 10));
  auto a = std::make_shared<FakeConnection>();
  uint64_t id = registry.TryAdd(a, "10.0.0.1").id;
  {
    auto gone = std::make_shared<FakeConnection>();
    registry.TryAdd(gone, "10.0.0.1");
  }  // expired: not listed
  EXPECT_FALSE(registry.draining());
  auto live = registry.StartDraining();
  EXPECT_TRUE(registry.draining());
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].get(), a.get());
  EXPECT_EQ(registry.TryAdd(std::make_shared<FakeConnection>(), "10.0.0.1").admission, Admission::kDraining);
  registry.Remove(id);
}

TEST(ConnectionRegistryTest, WaitUntilEmptyWakesOnLastRemoval) {
  ConnectionRegistry registry(Limits(10, 10, 10));
  auto a = std::make_shared<FakeConnection>();
  uint64_t id = registry.TryAdd(a, "10.0.0.1").id;
  EXPECT_FALSE(registry.WaitUntilEmpty(std::chrono::steady_clock::now() + 10ms));
  std::thread remover([&] { registry.Remove(id); });
  EXPECT_TRUE(registry.WaitUntilEmpty(std::chrono::steady_clock::now() + 5s));
  remover.join();
}

}  // namespace
}  // namespace relais::server
