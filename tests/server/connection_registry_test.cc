#include "engine/server/connection_registry.h"

#include <gtest/gtest.h>

#include <thread>

namespace relais::server {
namespace {

using namespace std::chrono_literals;

class FakeConnection : public Connection {
 public:
  void BeginDrain() override { ++drains; }
  void ForceClose() override { ++closes; }
  int drains = 0;
  int closes = 0;
};

TEST(ConnectionRegistryTest, EnforcesTheMaximum) {
  ConnectionRegistry registry(2);
  auto a = std::make_shared<FakeConnection>(), b = std::make_shared<FakeConnection>(),
       c = std::make_shared<FakeConnection>();
  uint64_t ida = registry.TryAdd(a);
  uint64_t idb = registry.TryAdd(b);
  EXPECT_NE(ida, 0u);
  EXPECT_NE(idb, 0u);
  EXPECT_NE(ida, idb);
  EXPECT_EQ(registry.TryAdd(c), 0u);
  registry.Remove(ida);
  EXPECT_EQ(registry.size(), 1u);
  EXPECT_NE(registry.TryAdd(c), 0u);
}

TEST(ConnectionRegistryTest, DrainingRefusesNewConnectionsAndListsLiveOnes) {
  ConnectionRegistry registry(10);
  auto a = std::make_shared<FakeConnection>();
  uint64_t id = registry.TryAdd(a);
  {
    auto gone = std::make_shared<FakeConnection>();
    registry.TryAdd(gone);
  }  // expired: not listed
  EXPECT_FALSE(registry.draining());
  auto live = registry.StartDraining();
  EXPECT_TRUE(registry.draining());
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].get(), a.get());
  EXPECT_EQ(registry.TryAdd(std::make_shared<FakeConnection>()), 0u);
  registry.Remove(id);
}

TEST(ConnectionRegistryTest, WaitUntilEmptyWakesOnLastRemoval) {
  ConnectionRegistry registry(10);
  auto a = std::make_shared<FakeConnection>();
  uint64_t id = registry.TryAdd(a);
  EXPECT_FALSE(registry.WaitUntilEmpty(std::chrono::steady_clock::now() + 10ms));
  std::thread remover([&] { registry.Remove(id); });
  EXPECT_TRUE(registry.WaitUntilEmpty(std::chrono::steady_clock::now() + 5s));
  remover.join();
}

}  // namespace
}  // namespace relais::server
