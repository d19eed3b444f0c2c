// Clock: the single source of "now" for Relais. Everything that depends on
// time takes a Clock& so tests inject a ManualClock and never sleep.
//
// Thread-safety: SystemClock and ManualClock are safe for concurrent use.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace relais {

using TimePoint = std::chrono::sys_time<std::chrono::microseconds>;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override {
    return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
  }
  // A process-wide instance for production wiring.
  static SystemClock& Instance() {
    static SystemClock clock;
    return clock;
  }
};

// A clock that moves only when told to.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start) : micros_(start.time_since_epoch().count()) {}
  TimePoint Now() const override { return TimePoint(std::chrono::microseconds(micros_.load())); }
  void Set(TimePoint t) { micros_.store(t.time_since_epoch().count()); }
  void Advance(std::chrono::microseconds d) { micros_.fetch_add(d.count()); }

 private:
  std::atomic<int64_t> micros_;
};

// Microseconds since the Unix epoch, UTC.
inline int64_t ToMicros(TimePoint t) { return t.time_since_epoch().count(); }
inline TimePoint FromMicros(int64_t us) { return TimePoint(std::chrono::microseconds(us)); }

}  // namespace relais
