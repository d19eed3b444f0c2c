// StoreHealth: whether a store's writes can succeed now, and if not, why.
//
// The durable store marks itself failed when a write or a background job
// (flush, compaction) hits an I/O error, and recovered once its retry
// succeeds. Readers (the /readyz route, the committer deciding whether to
// refuse a group at once) ask Writable(). A generation counter lets the
// recovery clear only the failures it saw: a failure recorded while a retry
// was running keeps the store failed until the next retry.
//
// Thread-safety: safe for concurrent access from multiple threads without any
// external synchronization.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

#include "engine/util/status.h"

namespace relais {

class StoreHealth {
 public:
  // OK while writes can succeed; else kUnavailable whose message is the
  // reason given to the last MarkFailed.
  Status Writable() const;
  bool failed() const;

  // Records that writes fail, with `reason` (its message is kept as is).
  // Returns true when the store was writable before (the caller logs the
  // transition once, not on every retry).
  bool MarkFailed(const Status& reason);

  // Failures recorded so far; read before a retry, passed to MarkRecoveredIf.
  uint64_t generation() const;
  // When the latest failure was recorded (a retry waits its interval from it).
  std::chrono::steady_clock::time_point last_failure() const;

  // Marks the store writable again unless a failure was recorded after
  // `seen` was read. Returns true when it changed failed to writable.
  bool MarkRecoveredIf(uint64_t seen);

 private:
  mutable std::mutex mu_;
  Status reason_;  // OK while writable
  uint64_t generation_ = 0;
  std::chrono::steady_clock::time_point last_failure_{};
};

}  // namespace relais
