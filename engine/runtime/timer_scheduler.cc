#include "engine/runtime/timer_scheduler.h"

#include <atomic>

#include <boost/asio/steady_timer.hpp>

#include "engine/runtime/commit_follower.h"

namespace relais::runtime {

struct TimerScheduler::Impl : std::enable_shared_from_this<Impl> {
  using Steady = std::chrono::steady_clock;

  Impl(boost::asio::io_context& io, EventStore& s, TimerService& t, const Clock& c, SchedulerOptions o)
      : strand(boost::asio::make_strand(io)), timer(strand), store(s), timers(t), clock(c), options(o) {}

  void StartFollowing() {
    std::weak_ptr<Impl> weak = weak_from_this();
    // A commit may have armed an earlier timer: cancel the wait and re-plan.
    follower = std::make_unique<CommitFollower>(
        strand, store,
        [weak] {
          if (auto self = weak.lock()) self->OnCommit();
        },
        options.commit_recheck);
    follower->Start();
  }

  boost::asio::strand<boost::asio::io_context::executor_type> strand;
  boost::asio::steady_timer timer;
  EventStore& store;
  TimerService& timers;
  const Clock& clock;
  const SchedulerOptions options;
  std::unique_ptr<CommitFollower> follower;
  std::atomic<bool> stopped{false};
  std::atomic<uint64_t> fired{0};
  Steady::time_point last_tick{};  // on the strand

  void OnCommit() {
    if (stopped) return;
    const Steady::time_point recheck_at = last_tick + options.commit_recheck;
    if (Steady::now() >= recheck_at) {
      timer.cancel();
      Tick();
    } else if (timer.expiry() > recheck_at) {
      WaitUntil(recheck_at);  // coalesce this burst of commits into one re-check
    }
  }

  void WaitUntil(Steady::time_point at) {
    timer.expires_at(at);  // cancels the current wait
    timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec == boost::asio::error::operation_aborted) return;  // re-planned or stopped
      self->Tick();
    });
  }

  void Tick() {
    if (stopped) return;
    last_tick = Steady::now();
    if (!GateOpen(options.gate)) return WaitUntil(Steady::now() + options.max_sleep);  // Wake comes with the gate
    auto report = timers.FireDue();
    std::chrono::milliseconds wait = options.max_sleep;
    if (!report.ok()) {
      options.info_log->Error(
          "timers: firing what is due failed; retrying later",
          {{"error", report.status().ToString()}, {"retry_after_ms", std::to_string(options.retry_after.count())}});
      wait = options.retry_after;
    } else {
      fired += report->fired;
      auto next = timers.NextDue();
      if (next.ok() && next->has_value()) {
        auto until = std::chrono::duration_cast<std::chrono::milliseconds>(**next - clock.Now());
        wait = std::clamp(until, std::chrono::milliseconds(0), options.max_sleep);
      }
    }
    WaitUntil(Steady::now() + wait);
  }
};

TimerScheduler::TimerScheduler(boost::asio::io_context& io, EventStore& store, TimerService& timers, const Clock& clock,
                               SchedulerOptions options)
    : impl_(std::make_shared<Impl>(io, store, timers, clock, options)) {}

TimerScheduler::~TimerScheduler() { Stop(); }

void TimerScheduler::Start() { impl_->StartFollowing(); }

void TimerScheduler::Stop() {
  if (impl_->stopped.exchange(true)) return;
  if (impl_->follower) impl_->follower->Stop();
  boost::asio::post(impl_->strand, [impl = impl_] { impl->timer.cancel(); });
}

void TimerScheduler::Wake() {
  boost::asio::post(impl_->strand, [impl = impl_] {
    if (impl->stopped) return;
    impl->timer.cancel();
    impl->Tick();
  });
}

uint64_t TimerScheduler::fired() const { return impl_->fired.load(); }

}  // namespace relais::runtime
