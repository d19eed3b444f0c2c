// EndpointRegistry on a store shared by several nodes: Load (run
// periodically there) replaces the cache whole, and must never drop an
// endpoint this node wrote while Load was reading the store.
#include "engine/notify/endpoint_registry.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "engine/store/forwarding_event_store.h"
#include "engine/store/memory_event_store.h"
#include "engine/util/clock.h"

namespace relais::notify {
namespace {

using namespace std::chrono_literals;

// Holds the first scan of the endpoints until Release(): a Load caught
// between reading the store and swapping its cache in.
class PausingStore : public ForwardingEventStore {
 public:
  explicit PausingStore(EventStore& base) : ForwardingEventStore(base) {}
  StatusOr<std::vector<KvEntry>> KvScan(const std::string& p, const std::string& after, size_t n) override {
    auto page = ForwardingEventStore::KvScan(p, after, n);
    if (pause_next_.exchange(false)) {
      std::unique_lock lock(mu_);
      paused_ = true;
      cv_.notify_all();
      cv_.wait(lock, [&] { return released_; });
    }
    return page;
  }
  void PauseNextScan() { pause_next_ = true; }
  void WaitUntilPaused() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return paused_; });
  }
  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  std::atomic<bool> pause_next_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool paused_ = false, released_ = false;
};

TEST(EndpointRegistryTest, AnEndpointMadeWhileLoadReadsTheStoreIsNotDroppedByItsSwap) {
  MemoryEventStore memory;
  PausingStore store(memory);
  ManualClock clock(TimePoint{} + std::chrono::hours(24 * 365 * 57));
  EndpointRegistry registry(store, clock);
  ASSERT_TRUE(registry.Load().ok());

  store.PauseNextScan();
  Status loaded = Internal("not run");
  std::thread load([&] { loaded = registry.Load(); });  // reads an empty store, then waits
  store.WaitUntilPaused();
  EndpointFields fields;
  fields.url = "https://partner.example/hooks";
  StatusOr<Endpoint> made = Internal("not run");
  std::thread create([&] { made = registry.Create("ccas-fresnes", fields); });
  std::this_thread::sleep_for(50ms);  // without the serialization, Create is done by now
  store.Release();
  load.join();
  create.join();
  ASSERT_TRUE(loaded.ok()) << loaded;
  ASSERT_TRUE(made.ok()) << made.status();
  const auto active = registry.ActiveFor({"ccas-fresnes"});
  ASSERT_EQ(active.size(), 1u) << "the endpoint made during the Load is gone from the outbox's view";
  EXPECT_EQ(active[0].id, made->id);
  EXPECT_TRUE(registry.Get(made->id).ok());
}

}  // namespace
}  // namespace relais::notify
