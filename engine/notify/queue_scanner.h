// QueueScanner: finds the dispatcher's work in the store's queue
// (<root>q/<endpoint>/<lane>/<order> of its QueueLayout): which lanes have entries (a
// whole rescan, or the entries the Outbox said it queued), and a lane's
// oldest entry as the store plus the KvWriteBehind's unwritten changes have
// it. It keeps, per lane, the last key delivered or dead-lettered, so the
// next head is looked for after it rather than over the deleted entries
// before it (RocksDB keeps those as tombstones until a compaction).
//
// Thread-safety: Expect and BeforeRequeue are safe from any thread; the
// rest is for the dispatcher's I/O thread. *store and *writer must outlive it.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/notify/queue_layout.h"
#include "engine/store/event_store.h"
#include "engine/store/kv_write_behind.h"

namespace relais::notify {

class QueueScanner {
 public:
  // An expected entry not found after this long is dropped: an append that
  // commits later than that is found by the dispatcher's periodic rescan.
  static constexpr std::chrono::seconds kExpectFor{2};

  QueueScanner(EventStore& store, QueueLayout layout, const KvWriteBehind& writer)
      : store_(store), layout_(std::move(layout)), writer_(writer) {}

  // Calls found(lane) for every lane with entries, and forgets every lane's
  // cursor. Errors: the store's (lanes found before it were reported).
  Status ForEachLane(const std::function<void(const std::string& lane)>& found);

  // The Outbox queued these entries (QueuedDelivery::Suffix) in an append
  // that may not have committed yet.
  void Expect(std::vector<std::string> suffixes);
  // Lanes of expected entries now in the store; each is then forgotten, as
  // are those expected for longer than kExpectFor (not committed, already
  // delivered by a lane that found them itself, or their append failed).
  std::vector<std::string> TakeCommitted();

  // The lane's oldest entry, nullopt when it has none. Errors: the store's.
  StatusOr<std::optional<KvEntry>> Head(const std::string& lane);
  // The lane delivered or dead-lettered the entry at queue_key: its next
  // head is after it.
  void Passed(const std::string& lane, const std::string& queue_key) { after_[lane] = queue_key; }
  // Call before writing entries back into the queue (a replay): every lane
  // then looks for its head from its start.
  void BeforeRequeue() { ++epoch_; }

 private:
  struct Expected {
    std::string suffix;
    std::chrono::steady_clock::time_point since;
  };

  EventStore& store_;
  const QueueLayout layout_;
  const KvWriteBehind& writer_;
  std::mutex incoming_mu_;
  std::vector<Expected> incoming_;  // from Expect, any thread
  // The I/O thread's alone.
  std::vector<Expected> expected_;
  std::unordered_map<std::string, std::string> after_;  // lane -> last key passed
  std::atomic<uint64_t> epoch_{0};                      // moved by BeforeRequeue: cursors are void
  uint64_t cursor_epoch_ = 0;                           // the epoch after_ belongs to
};

}  // namespace relais::notify
