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

  // REQUIRES: per_second > 0, burst >= 1. max_keys: buckets kept at most
  // (0: no bound, for keys from a bounded set such as configured tokens);
  // when full, buckets refilled to burst are dropped, and if none can be, a
  // new key is refused (retry after 1 s) rather than memory growing.
  RateLimiter(double per_second, double burst, Now now = std::chrono::steady_clock::now, size_t max_keys = 0);

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
  const size_t max_keys_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;  // at most max_keys_ (when set)
};

}  // namespace relais::api
