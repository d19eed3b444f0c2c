#include "engine/notify/retry_policy.h"

#include <algorithm>

#include "engine/util/time_format.h"

namespace relais::notify {

using std::chrono::duration_cast;
using std::chrono::microseconds;

std::chrono::microseconds RetryPolicy::RetryDelay(uint32_t failed_attempts,
                                                  const std::optional<std::chrono::seconds>& retry_after,
                                                  uint64_t jitter_draw) const {
  auto base = duration_cast<microseconds>(options_.schedule.at(failed_attempts - 1));
  if (options_.jitter_percent > 0 && base.count() > 0) {
    const int64_t span = base.count() * static_cast<int64_t>(options_.jitter_percent) / 100;
    // A draw in [-span, span]; the modulo's bias is below 2^-40 for any span a schedule holds.
    base += microseconds(static_cast<int64_t>(jitter_draw % static_cast<uint64_t>(2 * span + 1)) - span);
  }
  if (retry_after) base = std::max(base, duration_cast<microseconds>(*retry_after));
  return base;
}

RetryDecision RetryPolicy::Decide(const plugins::DeliveryOutcome& outcome, uint32_t attempt,
                                  std::optional<TimePoint> failing_since, TimePoint now, uint64_t jitter_draw) const {
  RetryDecision d;
  switch (outcome.kind) {
    case plugins::OutcomeKind::kDelivered: d.step = NextStep::kDone; return d;
    case plugins::OutcomeKind::kGone:
      d.step = NextStep::kDisable;
      d.disable_reason = "the endpoint answered 410 Gone";
      return d;
    case plugins::OutcomeKind::kRefused: d.step = NextStep::kDeadLetter; return d;
    case plugins::OutcomeKind::kRetry: break;
  }
  if (failing_since && now - *failing_since >= duration_cast<microseconds>(options_.disable_after)) {
    d.step = NextStep::kDisable;
    d.disable_reason = "no successful delivery since " + FormatIso8601(*failing_since);
    return d;
  }
  if (attempt > options_.schedule.size()) {
    d.step = NextStep::kDeadLetter;
    return d;
  }
  d.step = NextStep::kRetry;
  d.retry_at = now + RetryDelay(attempt, outcome.retry_after, jitter_draw);
  return d;
}

}  // namespace relais::notify
