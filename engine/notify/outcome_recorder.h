// OutcomeRecorder: writes what became of a dispatcher's deliveries: the
// record of each attempt (<root>attempt/, <root>log/ of its QueueLayout),
// the queue entry's update (removed when delivered, rewritten with its next
// attempt), dead letters (<root>dead/), and counts them. Records gathered on the dispatcher's
// I/O thread go to the store in one batch per Flush through a
// KvWriteBehind, without waiting for the disk: after a crash an attempt may
// be repeated (same webhook-id), never lost. The writer's unwritten changes
// are what QueueScanner applies over its reads (read-your-writes).
//
// Each attempt's record is also handed, once written, to the observer set
// by OnAttemptsWritten (the live stream announces it: docs/api.md).
//
// Thread-safety: the counters, Drain and OnAttemptsWritten are safe from any
// thread; the rest is for the dispatcher's I/O thread. *store must outlive it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "engine/notify/outbox.h"
#include "engine/notify/queue_layout.h"
#include "engine/store/event_store.h"
#include "engine/store/kv_write_behind.h"
#include "engine/store/work_gate.h"
#include "plugins/channel.h"

namespace relais::notify {

// Called with attempt records (as GET .../attempts lists them) once they
// are in the store, on the write-behind's thread.
using AttemptsObserver = std::function<void(const std::vector<Json>& attempts)>;

class OutcomeRecorder {
 public:
  // Writes carry gate's fence (null: none); *gate must outlive the recorder.
  OutcomeRecorder(EventStore& store, QueueLayout layout, const WorkGate* gate = nullptr)
      : store_(store), layout_(std::move(layout)), gate_(gate), writer_(store) {}

  // Replaces the observer (nullptr: none). Once it returns, the previous
  // observer is not running and will not be called again.
  void OnAttemptsWritten(AttemptsObserver observer) {
    std::lock_guard lock(observer_->mu);
    observer_->call = std::move(observer);
  }

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
  // Hands what was recorded since the last Flush to the writer, under the
  // gate's fence as it is now.
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
  const WorkGate* gate_;
  KvWriteBehind writer_;
  KvWrites pending_;  // recorded since the last Flush
  struct Observer {
    std::mutex mu;  // held while calling: replacing waits for a call under way
    AttemptsObserver call;
  };
  // Shared with the write-behind's callbacks, which may outlive a Flush.
  std::shared_ptr<Observer> observer_ = std::make_shared<Observer>();
  std::vector<Json> written_attempts_;  // the attempt records of pending_
  std::atomic<uint64_t> attempts_{0}, delivered_{0}, dead_{0};
};

}  // namespace relais::notify
