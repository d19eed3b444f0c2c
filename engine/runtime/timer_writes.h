// TimerWrites: the one place that edits durable timers (timer_keys.h). Every
// timer change is a side write of the append that decides it: arming puts
// the due entry and the timer's of-key (which names its due entry),
// cancelling and consuming delete them. Callers never touch the key pair.
//
// Within one batch the builder remembers what it wrote, so arming the same
// timer twice, or consuming then re-arming it, leaves exactly one due entry;
// a timer consumed then re-armed (its next stage) writes its of-key once.
// REQUIRES: only this builder edits timer keys in *writes, and *writes only
// grows while the builder is in use.
//
// Thread-safety: not thread-safe; one builder per batch, used by the thread
// that holds the aggregate's command lock (so the of-keys it reads can not
// change under it).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "engine/runtime/timer_keys.h"
#include "engine/store/event_store.h"

namespace relais::runtime {

class TimerWrites {
 public:
  // *store (read for the of-keys) and *writes must outlive the builder.
  TimerWrites(EventStore& store, KvWrites& writes) : store_(store), writes_(writes) {}

  // Arms t in place of whatever its (aggregate, timer id) has armed.
  // Errors: the store's, on reading the of-key.
  Status Arm(const DueTimer& t);

  // Removes whatever (aggregate, timer id) has armed; nothing when none.
  Status Cancel(std::string_view aggregate_id, std::string_view timer_id);

  // What (aggregate, timer id) has armed, as this batch leaves it; nullopt
  // when nothing. Errors: the store's; kCorruption for an unreadable entry.
  StatusOr<std::optional<DueTimer>> Current(std::string_view aggregate_id, std::string_view timer_id);

  // A due timer taken off the schedule (fired, or found stale): its due
  // entry goes, and its of-key too while the of-key names this entry.
  // Returns whether it did (the timer was current, not replaced since).
  StatusOr<bool> Consume(const DueTimer& t);

 private:
  // The due key (aggregate, timer id) has armed, as this batch leaves it.
  StatusOr<std::optional<std::string>> ArmedKey(const std::string& of_key);

  EventStore& store_;
  KvWrites& writes_;
  std::map<std::string, std::optional<std::string>> batch_;  // of-key -> due key (nullopt: none) after this batch
  std::map<std::string, DueTimer> written_;                  // of-key -> the entry this batch armed
  std::map<std::string, size_t> of_deleted_at_;              // of-key -> index in writes_.ops of its delete
};

}  // namespace relais::runtime
