#include "engine/notify/dispatcher.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <random>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "engine/notify/lane_scheduler.h"
#include "engine/notify/outbox.h"
#include "engine/notify/outcome_recorder.h"
#include "engine/notify/queue_scanner.h"
#include "engine/notify/retry_policy.h"
#include "engine/util/thread_name.h"

namespace relais::notify {

namespace net = boost::asio;
using std::chrono::duration_cast;
using std::chrono::microseconds;

// The I/O thread's loop: wakes, starts what the lanes allow, and turns each
// outcome into records, a retry, a dead letter or a disabling.
struct Dispatcher::State : std::enable_shared_from_this<Dispatcher::State> {
  State(EventStore& s, QueueLayout q, DeliveryTargets& t, const Clock& c, DispatcherOptions o, ChannelFactory f)
      : store(s),
        layout(std::move(q)),
        targets(t),
        clock(c),
        options(std::move(o)),
        log(*options.info_log),
        make_channel(std::move(f)),
        policy(RetryOptions{options.retry_schedule, options.jitter_percent, options.disable_after}),
        recorder(s, layout, options.gate),
        scanner(s, layout, recorder.writer()),
        lanes(options.max_concurrency_per_endpoint),
        timer(io) {}

  EventStore& store;
  const QueueLayout layout;
  DeliveryTargets& targets;
  const Clock& clock;
  const DispatcherOptions options;
  Logger& log;
  ChannelFactory make_channel;
  const RetryPolicy policy;
  OutcomeRecorder recorder;
  QueueScanner scanner;
  LaneScheduler lanes;  // the I/O thread's alone

  net::io_context io;
  std::unique_ptr<net::executor_work_guard<net::io_context::executor_type>> work;
  net::steady_timer timer;
  std::thread thread;
  std::unique_ptr<plugins::NotificationChannel> channel;
  EventStore::Subscription subscription;
  std::atomic<bool> wake_pending{false};
  std::atomic<bool> commits_unscanned{false};  // commits since the last rescan (rescan_after_commits)
  std::atomic<bool> stopped{false};
  std::atomic<bool> running{false};  // between Start and Stop: wakes are posted only then
  std::atomic<uint64_t> lane_count{0};

  // The I/O thread's alone.
  std::mt19937_64 random{std::random_device{}()};  // the retry jitter's draws
  // A safety net: the whole queue is looked at this often, so no entry can
  // wait for a wake-up that was missed.
  static constexpr std::chrono::seconds kRescanEvery{30};
  std::chrono::steady_clock::time_point last_rescan = std::chrono::steady_clock::now();
  bool gate_was_open = true;  // the I/O thread's: a closed-to-open change rescans

  void LogError(const char* what, const Status& s) { log.Error(layout.name + ": " + what, {{"error", s.ToString()}}); }

  void Wake() {
    if (!running || stopped || wake_pending.exchange(true)) return;
    net::post(io, [weak = weak_from_this()] {
      if (auto self = weak.lock()) {
        self->wake_pending = false;
        self->Pump();
      }
    });
  }

  void Rescan() {
    Status s = scanner.ForEachLane([this](const std::string& lane) { lanes.Enqueue(lane); });
    if (!s.ok()) LogError("scanning the queue failed", s);
  }

  void Pump() {
    if (stopped) return;
    recorder.Flush();
    const bool open = GateOpen(options.gate);
    if (open && !gate_was_open) {
      // Taken over: the queue is as the last holder left it.
      scanner.BeforeRequeue();
      last_rescan = {};
    }
    gate_was_open = open;
    if (!open) {
      for (const std::string& lane : scanner.TakeCommitted()) lanes.Enqueue(lane);
      return ArmTimer(/*gate_closed=*/true);
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - last_rescan > kRescanEvery || RescanForCommits(now)) {
      commits_unscanned = false;
      last_rescan = now;
      Rescan();
    }
    for (const std::string& lane : scanner.TakeCommitted()) lanes.Enqueue(lane);
    lanes.ReleaseDue(clock.Now());
    while (!stopped) {
      auto lane = lanes.NextToStart();
      if (!lane) break;
      StartLane(*lane);
    }
    lane_count = lanes.size();
    ArmTimer();
  }

  // Commits of other nodes may have queued entries: due for a rescan.
  bool RescanForCommits(std::chrono::steady_clock::time_point now) const {
    return options.rescan_after_commits.count() > 0 && commits_unscanned &&
           now - last_rescan >= options.rescan_after_commits;
  }

  // While the gate is closed, only its opening is waited for (every max_sleep).
  void ArmTimer(bool gate_closed = false) {
    auto sleep = duration_cast<microseconds>(options.max_sleep);
    if (auto wake = gate_closed ? std::nullopt : lanes.NextWake())
      sleep = std::clamp(duration_cast<microseconds>(*wake - clock.Now()), microseconds(0), sleep);
    if (!gate_closed && options.rescan_after_commits.count() > 0 && commits_unscanned) {
      const auto until =
          duration_cast<microseconds>(last_rescan + options.rescan_after_commits - std::chrono::steady_clock::now());
      sleep = std::clamp(until, microseconds(0), sleep);
    }
    timer.expires_after(sleep);
    timer.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      if (ec) return;
      if (auto self = weak.lock()) self->Pump();
    });
  }

  void StartLane(const std::string& key) {
    auto head = scanner.Head(key);
    if (!head.ok()) {
      LogError("reading a lane failed", head.status());
      return lanes.WaitUntil(key, clock.Now() + std::chrono::seconds(1));
    }
    if (!*head) return lanes.Forget(key);
    const KvEntry& entry = **head;
    auto delivery = QueuedDelivery::FromStored(entry.value);
    if (!delivery.ok()) {
      // Unreadable: set aside as a dead letter holding the raw text, never dropped.
      LogError("a queued delivery is unreadable", delivery.status());
      if (Status s = recorder.SetAsideCorrupt(entry); !s.ok()) LogError("setting aside a corrupt delivery failed", s);
      return lanes.Enqueue(key);
    }
    const TimePoint now = clock.Now();
    if (delivery->next_at && *delivery->next_at > now) return lanes.WaitUntil(key, *delivery->next_at);
    const std::string endpoint_id = LaneScheduler::EndpointOf(key);
    auto target = targets.Get(endpoint_id, now);
    if (target.status().code() == StatusCode::kNotFound) {
      // The endpoint was deleted: its pending deliveries go with it.
      if (Status s = recorder.DropLane(key); !s.ok()) LogError("dropping a deleted endpoint's deliveries failed", s);
      return lanes.Forget(key);
    }
    if (!target.ok()) {
      LogError("reading an endpoint failed", target.status());
      return lanes.WaitUntil(key, now + std::chrono::seconds(1));
    }
    // Kept queued; a re-enable rescans.
    if (!target->active) return lanes.Forget(key);
    plugins::Delivery d;
    d.id = delivery->id;
    d.endpoint_id = endpoint_id;
    d.url = std::move(target->url);
    d.secrets = std::move(target->secrets);
    d.recipients = delivery->recipients;
    d.body = delivery->body;
    d.timestamp = now;
    lanes.Started(key);
    channel->Deliver(
        d, [weak = weak_from_this(), key, q = std::move(*delivery)](plugins::DeliveryOutcome outcome) mutable {
          if (auto self = weak.lock()) self->OnOutcome(key, std::move(q), std::move(outcome));
        });
  }

  void OnOutcome(const std::string& key, QueuedDelivery q, plugins::DeliveryOutcome outcome) {
    lanes.Finished(key);
    recorder.CountAttempt();
    if (stopped) return;
    const TimePoint now = clock.Now();
    q.attempts += 1;
    recorder.RecordAttempt(q, outcome, now);
    std::optional<TimePoint> failing_since;
    if (outcome.kind == plugins::OutcomeKind::kDelivered) {
      if (Status s = targets.RecordSuccess(q.endpoint); !s.ok()) LogError("recording a success failed", s);
    } else if (outcome.kind == plugins::OutcomeKind::kRetry) {
      auto since = targets.RecordFailure(q.endpoint, now);
      if (since.ok()) failing_since = *since;
    }
    const RetryDecision decision = policy.Decide(outcome, q.attempts, failing_since, now, random());
    const std::string queue_key = layout.QueueKey(q.Suffix());
    bool next = true;  // the lane may go on with its next entry
    switch (decision.step) {
      case NextStep::kDone:
        recorder.Delivered(q);
        scanner.Passed(key, queue_key);
        break;
      case NextStep::kDeadLetter:
        recorder.DeadLetter(q, outcome, now);
        scanner.Passed(key, queue_key);
        break;
      case NextStep::kDisable:
        q.next_at.reset();
        recorder.Requeue(q);
        targets.Disable(q.endpoint, decision.disable_reason);
        next = false;
        break;
      case NextStep::kRetry:
        q.next_at = decision.retry_at;
        recorder.Requeue(q);
        lanes.WaitUntil(key, decision.retry_at);
        next = false;
        break;
    }
    if (next) {
      lanes.Enqueue(key);
    } else if (!lanes.IsWaiting(key)) {
      lanes.Forget(key);
    }
    Wake();
  }
};

Dispatcher::Dispatcher(EventStore& store, QueueLayout layout, DeliveryTargets& targets, const Clock& clock,
                       DispatcherOptions options, ChannelFactory make_channel)
    : state_(std::make_shared<State>(store, std::move(layout), targets, clock, std::move(options),
                                     std::move(make_channel))) {}

Dispatcher::~Dispatcher() { Stop(); }

void Dispatcher::OnAttemptsWritten(AttemptsObserver observer) {
  state_->recorder.OnAttemptsWritten(std::move(observer));
}

Status Dispatcher::Start() {
  State& s = *state_;
  if (s.thread.joinable()) return Status::Ok();
  RELAIS_ASSIGN_OR_RETURN(s.channel, s.make_channel(s.io));
  s.work = std::make_unique<net::executor_work_guard<net::io_context::executor_type>>(s.io.get_executor());
  std::weak_ptr<State> weak = state_;
  s.subscription = s.store.Subscribe([weak](uint64_t) {
    if (auto self = weak.lock()) {
      self->commits_unscanned = true;
      self->Wake();
    }
  });
  net::post(s.io, [weak] {
    if (auto self = weak.lock()) {
      self->Rescan();
      self->Pump();
    }
  });
  s.running = true;
  s.thread = std::thread([self = state_] {
    SetThreadName("dispatcher");
    self->io.run();
  });
  return Status::Ok();
}

void Dispatcher::Stop() {
  State& s = *state_;
  if (!s.thread.joinable()) return;
  s.running = false;
  s.subscription.Reset();
  // Handlers hold the state weakly: those the stopped loop never runs are
  // destroyed with the io_context (a member of the state) without keeping
  // the state alive.
  std::weak_ptr<State> weak = state_;
  net::post(s.io, [weak] {
    if (auto self = weak.lock()) {
      self->recorder.Flush();
      self->stopped = true;
      self->timer.cancel();
      if (self->channel) self->channel->Stop();
    }
  });
  s.work.reset();
  // Give cancelled attempts a moment to unwind, then stop the loop.
  net::post(s.io, [weak] {
    if (auto self = weak.lock()) self->io.stop();
  });
  s.thread.join();
  s.channel.reset();
  s.recorder.Drain();  // what Stop's last Flush handed over is in the store
  s.targets.Drain();   // and the endpoints disabled before the stop
}

void Dispatcher::Expect(std::vector<std::string> suffixes) { state_->scanner.Expect(std::move(suffixes)); }

void Dispatcher::Wake() { state_->Wake(); }

void Dispatcher::Settle() {
  state_->targets.Drain();
  state_->recorder.Drain();
}

void Dispatcher::BeforeRequeue() { state_->scanner.BeforeRequeue(); }

void Dispatcher::Rescan() {
  if (!state_->running || state_->stopped) return;
  net::post(state_->io, [weak = std::weak_ptr<State>(state_)] {
    if (auto self = weak.lock()) {
      self->Rescan();
      self->Pump();
    }
  });
}

DispatcherStats Dispatcher::stats() const {
  const State& s = *state_;
  return {s.recorder.delivered(), s.recorder.attempts(), s.recorder.dead(), s.lane_count.load()};
}

}  // namespace relais::notify
