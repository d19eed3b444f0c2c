// RetryPolicy: what the dispatcher does with a delivery after one attempt,
// as a pure function of the attempt's outcome, its number, how long the
// endpoint has been failing and the time. Retries follow the schedule with
// +/- jitter_percent; 429/503 wait at least Retry-After; after the last
// scheduled retry the delivery is dead-lettered; 410 Gone, or failing
// without a success for disable_after, disables the endpoint; a refusal
// (SSRF guard, bad URL) is dead-lettered at once.
//
// Thread-safety: immutable after construction; safe for concurrent access
// from multiple threads without any external synchronization.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/util/clock.h"
#include "plugins/channel.h"

namespace relais::notify {

struct RetryOptions {
  // The wait before attempt n + 1 after n failed attempts is schedule[n - 1];
  // its size is the number of retries.
  std::vector<std::chrono::milliseconds> schedule;
  size_t jitter_percent = 0;  // each wait moves by up to this share, either way
  std::chrono::milliseconds disable_after{0};
};

enum class NextStep {
  kDone,        // delivered: remove it from the queue
  kRetry,       // keep it queued; attempt again at retry_at
  kDeadLetter,  // move it to the dead letters
  kDisable,     // keep it queued and disable its endpoint (disable_reason)
};

struct RetryDecision {
  NextStep step = NextStep::kRetry;
  TimePoint retry_at{};        // kRetry only
  std::string disable_reason;  // kDisable only
};

class RetryPolicy {
 public:
  explicit RetryPolicy(RetryOptions options) : options_(std::move(options)) {}

  // attempt: the number of the attempt just made (1 for the first).
  // failing_since: for a kRetry outcome, since when the endpoint has failed
  // without a success (this failure included); nullopt when unknown (the
  // endpoint is then not disabled for it). jitter_draw: a uniformly random
  // number; the same arguments always give the same decision.
  RetryDecision Decide(const plugins::DeliveryOutcome& outcome, uint32_t attempt,
                       std::optional<TimePoint> failing_since, TimePoint now, uint64_t jitter_draw) const;

  // The wait after `failed_attempts` failed attempts (1..schedule size):
  // the schedule's entry moved by the jitter, at least retry_after.
  std::chrono::microseconds RetryDelay(uint32_t failed_attempts, const std::optional<std::chrono::seconds>& retry_after,
                                       uint64_t jitter_draw) const;

  const RetryOptions& options() const { return options_; }

 private:
  const RetryOptions options_;
};

}  // namespace relais::notify
