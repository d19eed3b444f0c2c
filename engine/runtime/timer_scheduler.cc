#include "engine/runtime/timer_scheduler.h"

#include <atomic>
#include <cstdio>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

namespace relais::runtime {

struct TimerScheduler::Impl : std::enable_shared_from_this<Impl> {
  Impl(boost::asio::io_context& io, EventStore& s, TimerService& t, const Clock& c, SchedulerOptions o)
      : strand(boost::asio::make_strand(io)), timer(strand), store(s), timers(t), clock(c), options(o) {}

  boost::asio::strand<boost::asio::io_context::executor_type> strand;
  boost::asio::steady_timer timer;
  EventStore& store;
  TimerService& timers;
  const Clock& clock;
  const SchedulerOptions options;
  EventStore::Subscription subscription;
  std::atomic<bool> stopped{false};
  std::atomic<bool> recheck_posted{false};
  std::atomic<uint64_t> fired{0};

  void Tick() {
    if (stopped) return;
    auto report = timers.FireDue();
    std::chrono::milliseconds wait = options.max_sleep;
    if (!report.ok()) {
      std::fprintf(stderr, "relais: timers: %s\n", report.status().ToString().c_str());
      wait = options.retry_after;
    } else {
      fired += report->fired;
      auto next = timers.NextDue();
      if (next.ok() && next->has_value()) {
        auto until = std::chrono::duration_cast<std::chrono::milliseconds>(**next - clock.Now());
        wait = std::clamp(until, std::chrono::milliseconds(0), options.max_sleep);
      }
    }
    timer.expires_after(wait);
    timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec == boost::asio::error::operation_aborted) return;  // re-planned or stopped
      self->Tick();
    });
  }

  // A commit may have armed an earlier timer: re-plan once, coalescing bursts.
  void Recheck() {
    if (stopped || recheck_posted.exchange(true)) return;
    boost::asio::post(strand, [self = shared_from_this()] {
      self->recheck_posted = false;
      self->timer.cancel();
      self->Tick();
    });
  }
};

TimerScheduler::TimerScheduler(boost::asio::io_context& io, EventStore& store, TimerService& timers,
                               const Clock& clock, SchedulerOptions options)
    : impl_(std::make_shared<Impl>(io, store, timers, clock, options)) {}

TimerScheduler::~TimerScheduler() { Stop(); }

void TimerScheduler::Start() {
  std::weak_ptr<Impl> weak = impl_;
  impl_->subscription = impl_->store.Subscribe([weak](uint64_t) {
    if (auto impl = weak.lock()) impl->Recheck();
  });
  boost::asio::post(impl_->strand, [impl = impl_] { impl->Tick(); });
}

void TimerScheduler::Stop() {
  if (impl_->stopped.exchange(true)) return;
  impl_->subscription.Reset();
  boost::asio::post(impl_->strand, [impl = impl_] { impl->timer.cancel(); });
}

uint64_t TimerScheduler::fired() const { return impl_->fired.load(); }

}  // namespace relais::runtime
