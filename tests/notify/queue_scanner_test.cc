// QueueScanner's read of a lane's head against the KvWriteBehind's changes:
// a change written between the store read and the look at Unwritten must not
// leave the head holding the value from before it.
#include "engine/notify/queue_scanner.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <utility>

#include "engine/notify/webhook_keys.h"
#include "engine/store/forwarding_event_store.h"
#include "engine/store/memory_event_store.h"

namespace relais::notify {
namespace {

// Passes everything to its base; KvWrite waits while writes are
// held, and a one-shot hook runs after a KvScan has read, before it returns.
class SteppedStore final : public ForwardingEventStore {
 public:
  explicit SteppedStore(EventStore& base) : ForwardingEventStore(base) {}
  void HoldWrites() {
    std::lock_guard lock(mu_);
    held_ = true;
  }
  void ReleaseWrites() {
    {
      std::lock_guard lock(mu_);
      held_ = false;
    }
    released_.notify_all();
  }
  void AfterNextScan(std::function<void()> hook) { after_scan_ = std::move(hook); }

  Status KvWrite(const KvWrites& w) override {
    std::unique_lock lock(mu_);
    released_.wait(lock, [&] { return !held_; });
    lock.unlock();
    return base_.KvWrite(w);
  }
  StatusOr<std::vector<KvEntry>> KvScan(const std::string& p, const std::string& after, size_t n) override {
    auto page = base_.KvScan(p, after, n);
    if (auto hook = std::exchange(after_scan_, nullptr)) hook();
    return page;
  }

 private:
  std::mutex mu_;
  std::condition_variable released_;
  bool held_ = false;
  std::function<void()> after_scan_;
};

TEST(QueueScannerTest, AChangeWrittenBetweenTheScanAndTheLookAtUnwrittenIsSeen) {
  MemoryEventStore memory;
  SteppedStore store(memory);
  const std::string lane = "endpoint-1/project-1";
  const std::string key = QueueKey(lane + "/" + Padded(1));
  KvWrites queued;
  queued.Put(key, "attempts 0");
  ASSERT_TRUE(store.KvWrite(queued).ok());

  KvWriteBehind writer(store);
  QueueScanner scanner(store, WebhookQueueLayout(), writer);
  // A retry's requeue is submitted and held at the store...
  store.HoldWrites();
  KvWrites requeue;
  requeue.Put(key, "attempts 1");
  writer.Submit(std::move(requeue));
  // ...and written (leaving Unwritten) right after the scan read the old value.
  store.AfterNextScan([&] {
    store.ReleaseWrites();
    writer.Drain();
  });

  auto head = scanner.Head(lane);
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  ASSERT_TRUE(head->has_value());
  EXPECT_EQ((*head)->key, key);
  EXPECT_EQ((*head)->value, "attempts 1");
}

TEST(QueueScannerTest, AnUnwrittenDeletionIsSkippedAndAnUnwrittenChangeIsRead) {
  MemoryEventStore memory;
  SteppedStore store(memory);
  const std::string lane = "endpoint-1/project-1";
  KvWrites queued;
  for (int v = 1; v <= 3; ++v) queued.Put(QueueKey(lane + "/" + Padded(v)), "v" + std::to_string(v));
  ASSERT_TRUE(store.KvWrite(queued).ok());

  KvWriteBehind writer(store);
  QueueScanner scanner(store, WebhookQueueLayout(), writer);
  store.HoldWrites();
  KvWrites changes;
  changes.Delete(QueueKey(lane + "/" + Padded(1)));
  changes.Put(QueueKey(lane + "/" + Padded(2)), "v2, retried");
  writer.Submit(std::move(changes));

  auto head = scanner.Head(lane);
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  ASSERT_TRUE(head->has_value());
  EXPECT_EQ((*head)->key, QueueKey(lane + "/" + Padded(2)));
  EXPECT_EQ((*head)->value, "v2, retried");
  store.ReleaseWrites();
  writer.Drain();
  head = scanner.Head(lane);
  ASSERT_TRUE(head.ok() && head->has_value());
  EXPECT_EQ((*head)->value, "v2, retried");
}

}  // namespace
}  // namespace relais::notify
