#include "engine/api/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace relais::api {

RateLimiter::RateLimiter(double per_second, double burst, Now now, size_t max_keys)
    : per_second_(per_second), burst_(burst), now_(std::move(now)), max_keys_(max_keys) {}

int RateLimiter::Acquire(const std::string& key) {
  const auto now = now_();
  std::lock_guard lock(mu_);
  if (max_keys_ && buckets_.size() >= max_keys_ && !buckets_.count(key)) {
    // Forget the buckets that are full again: they hold nothing to remember.
    std::erase_if(buckets_, [&](const auto& entry) {
      const Bucket& b = entry.second;
      return b.tokens + std::chrono::duration<double>(now - b.refilled).count() * per_second_ >= burst_;
    });
    if (buckets_.size() >= max_keys_) return 1;
  }
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
