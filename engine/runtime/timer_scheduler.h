// TimerScheduler: drives a TimerService from an Asio io_context. It fires what
// is due at Start() (timers that fell due while the server was down), then
// sleeps on an Asio timer until the earliest pending timer, and re-checks when
// a commit may have armed an earlier one (store subscription; no polling
// loop), at most once per commit_recheck: under a stream of commits a
// re-check per commit would scan the timer keys thousands of times a second.
// Real time only matters here: TimerService itself takes the Clock. With a
// gate (options.gate), nothing fires while it is closed: call Wake when it
// opens.
//
// Thread-safety: Start and Stop from one thread; the rest runs on its strand.
#pragma once

#include <chrono>
#include <memory>

#include "engine/runtime/timer_service.h"
#include "engine/store/work_gate.h"
#include "engine/util/log.h"

namespace boost::asio {
class io_context;
}

namespace relais::runtime {

struct SchedulerOptions {
  std::chrono::milliseconds max_sleep{60'000};   // re-check at least this often
  std::chrono::milliseconds retry_after{5'000};  // after a store error
  // Commits re-check at most this often: a timer armed due sooner than this
  // may fire up to this late.
  std::chrono::milliseconds commit_recheck{50};
  // Where a failed firing is reported (error level, then retried after
  // retry_after). Must outlive the scheduler.
  Logger* info_log = &NullLogger();
  // Fires only while this gate is open (null: always); must outlive the scheduler.
  const WorkGate* gate = nullptr;
};

class TimerScheduler {
 public:
  // All references must outlive the scheduler.
  TimerScheduler(boost::asio::io_context& io, EventStore& store, TimerService& timers, const Clock& clock,
                 SchedulerOptions options = {});
  ~TimerScheduler();

  void Start();
  // Cancels the pending wait; returns at once (an in-flight firing completes).
  void Stop();
  // Re-checks what is due now (the gate opened). Safe from any thread.
  void Wake();

  // Firings done so far (for metrics and tests).
  uint64_t fired() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace relais::runtime
