// KvWriteBehind: writes key-value changes to an EventStore on a thread of
// its own, so the caller never waits for the store's write queue (where a
// plain write waits behind the fsync of a group of durable appends). Until a
// change is written, Unwritten() tells the caller what it will be, so the
// caller's reads can see its own changes at once (read-your-writes: read the
// store, then apply Unwritten over it).
//
// Read the store first, then Unwritten: a change may be written (and leave
// Unwritten) between the two reads, so a reader that finds no change for a
// key it read compares written() before the store read and after Unwritten;
// if it moved, the store read may be older than the change: read again.
//
// Changes are written in submission order, in batches, without waiting for
// the disk (KvWrites::sync = false): for records whose loss after a crash is
// acceptable (the webhook dispatcher's attempt records and queue updates,
// which only make an attempt be repeated). Writes keep the fence they were
// submitted with (a run of submissions under one fence is one batch), so a
// holder that lost its lease has its last writes refused, not re-fenced. A
// failed write (a stale fence included) is logged (warn,
// to options.info_log) and dropped: the store stays as it was, and Unwritten
// forgets it.
//
// Thread-safety: every member is safe from any thread. *store must outlive
// this object; the destructor writes what is still queued.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "engine/store/event_store.h"
#include "engine/util/log.h"

namespace relais {

struct KvWriteBehindOptions {
  Logger* info_log = &NullLogger();  // failed writes are logged here; must outlive the writer
};

class KvWriteBehind {
 public:
  explicit KvWriteBehind(EventStore& store, KvWriteBehindOptions options = {});
  ~KvWriteBehind();
  KvWriteBehind(const KvWriteBehind&) = delete;
  KvWriteBehind& operator=(const KvWriteBehind&) = delete;

  // Queues writes (their `sync` flag is ignored). Returns at once. then,
  // when given, is called on the writer's thread once these writes are in
  // the store (or were dropped as failed), with no lock of this object held,
  // before a Drain waiting for them returns; empty writes: called at once.
  void Submit(KvWrites writes, std::function<void()> then = nullptr);
  // Returns once everything submitted before the call is written (and the
  // `then`s of those writes have run).
  void Drain();
  // The change to key submitted and not yet written: nullopt when there is
  // none; else the value it will have (an empty optional: it is deleted).
  std::optional<std::optional<std::string>> Unwritten(const std::string& key) const;
  // Moves each time a batch has been written (and its changes left
  // Unwritten): see the reading protocol above.
  uint64_t written() const;
  // Changes submitted and not yet written (for tests and stats).
  size_t pending() const;

 private:
  struct Change {
    std::optional<std::string> value;
    uint64_t sequence = 0;
  };
  void Run();

  EventStore& store_;
  Logger& log_;
  mutable std::mutex mu_;
  std::condition_variable wake_;                    // the writer: work queued, or stop
  std::condition_variable written_;                 // Drain: a batch was written
  std::deque<KvWrites> queued_;                     // in submission order; one batch per run of the same fence
  std::vector<std::function<void()>> queued_then_;  // the `then`s of queued_
  uint64_t submitted_ = 0;                          // sequence of the last Submit
  uint64_t done_ = 0;                               // sequence of the last Submit written
  std::unordered_map<std::string, Change> unwritten_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace relais
