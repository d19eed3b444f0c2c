#include "engine/api/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace relais::api {

RateLimiter::RateLimiter(double per_second, double burst, Now now)
    : per_second_(per_second), burst_(burst), now_(std::move(now)) {}

int RateLimiter::Acquire(const std::string& key) {
  const auto now = now_();
  std::lock_guard lock(mu_);
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{burst_, now});
  Bucket& b = it->second;
  double elapsed = std::chrono::duration<double>(now - b.refilled).count();
  if (elapsed > 0) {
    b.tokens = std::min(burst_, b.tokens + elapsed * per_second_);
    b.refilled = now;
  }
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return 0;
  }
  return std::max(1, static_cast<int>(std::ceil((1 - b.tokens) / per_second_)));
}

}  // namespace relais::api
