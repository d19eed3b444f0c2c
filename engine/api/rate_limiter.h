// RateLimiter: one token bucket per caller (subject). A bucket holds at most
// `burst` requests and refills at `per_second`; a request finding it empty is
// refused with the time until the next token. Time comes from an injected
// monotonic clock so tests step it instead of sleeping.
//
// Thread-safety: safe for concurrent access from multiple threads without
// any external synchronization.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace relais::api {

class RateLimiter {
 public:
  using Now = std::function<std::chrono::steady_clock::time_point()>;

  // REQUIRES: per_second >= 1, burst >= 1.
  RateLimiter(double per_second, double burst, Now now = std::chrono::steady_clock::now);

  // Takes one token of key's bucket. Returns 0 when allowed, else the whole
  // seconds (>= 1) after which a retry will be allowed.
  int Acquire(const std::string& key);

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point refilled;
  };
  const double per_second_;
  const double burst_;
  const Now now_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;  // one per configured token: bounded
};

}  // namespace relais::api
