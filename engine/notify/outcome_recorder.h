// OutcomeRecorder: writes what became of a dispatcher's deliveries: the
// record of each attempt (<root>attempt/, <root>log/ of its QueueLayout),
// the queue entry's update (removed when delivered, rewritten with its next
// attempt), dead letters (<root>dead/), and counts them. Records gathered on the dispatcher's
// I/O thread go to the store in one batch per Flush through a
// KvWriteBehind, without waiting for the disk: after a crash an attempt may
// be repeated (same webhook-id), never lost. The writer's unwritten changes
// are what QueueScanner applies over its reads (read-your-writes).
//
// Thread-safety: the counters and Drain are safe from any thread; the rest
// is for the dispatcher's I/O thread. *store must outlive it.
#pragma once

#include <atomic>
#include <cstdint>

#include "engine/notify/outbox.h"
#include "engine/notify/queue_layout.h"
#include "engine/store/event_store.h"
#include "engine/store/kv_write_behind.h"
#include "plugins/channel.h"

namespace relais::notify {

class OutcomeRecorder {
 public:
  OutcomeRecorder(EventStore& store, QueueLayout layout) : store_(store), layout_(std::move(layout)), writer_(store) {}

  // An attempt ended (counted even when the dispatcher stops before recording it).
  void CountAttempt() { ++attempts_; }
  // The record of attempt q.attempts (already counted in q), made at now.
  void RecordAttempt(const QueuedDelivery& q, const plugins::DeliveryOutcome& outcome, TimePoint now);
  // q was delivered: its queue entry goes.
  void Delivered(const QueuedDelivery& q);
  // q stays queued as it now is (its attempts, its next_at).
  void Requeue(const QueuedDelivery& q);
  // q leaves the queue for the dead letters, with the last outcome.
  void DeadLetter(const QueuedDelivery& q, const plugins::DeliveryOutcome& outcome, TimePoint now);
  // Hands what was recorded since the last Flush to the writer.
  void Flush();
  // Returns once everything flushed before the call is in the store.
  void Drain() { writer_.Drain(); }

  // Sets an unreadable queue entry aside as a dead letter holding its raw
  // text (never dropped), at once. Errors: the store's.
  Status SetAsideCorrupt(const KvEntry& entry);
  // Removes every queue entry of a lane (its endpoint was deleted), at once.
  // Errors: the store's.
  Status DropLane(const std::string& lane);

  const KvWriteBehind& writer() const { return writer_; }
  uint64_t attempts() const { return attempts_; }
  uint64_t delivered() const { return delivered_; }
  uint64_t dead() const { return dead_; }

 private:
  EventStore& store_;
  const QueueLayout layout_;
  KvWriteBehind writer_;
  KvWrites pending_;  // recorded since the last Flush
  std::atomic<uint64_t> attempts_{0}, delivered_{0}, dead_{0};
};

}  // namespace relais::notify
