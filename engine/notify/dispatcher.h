// Dispatcher: the delivering half of a durable outbox (webhooks, e-mail).
// Owns one I/O thread that runs the channel (plugins/channel.h) and drives
// its parts, each with one job:
//   QueueScanner    finds work in the store's queue (<root>q/ of its
//                   QueueLayout, written with the events) and a lane's
//                   oldest entry;
//   LaneScheduler   which lanes (endpoint, project) are ready, in flight,
//                   waiting for a retry or blocked by the endpoint's limit;
//   RetryPolicy     what an attempt's outcome leads to (pure);
//   OutcomeRecorder attempt records, queue updates and dead letters, written
//                   behind (KvWriteBehind) without waiting for the disk;
//   DeliveryTargets where each endpoint is, its successes and failures,
//                   and disabling it (webhooks: WebhookTargets, which
//                   disables on a thread of its own).
// A lane delivers its oldest entry and nothing else until that entry
// succeeded, was dead-lettered or its endpoint disabled: order per
// (endpoint, project), while lanes do not wait for each other. After a
// crash an attempt may be repeated (same webhook-id), never lost.
//
// Wakes on store commits, on Wake() (replays, re-enabled endpoints, tests
// after moving a ManualClock) and on a timer for due retries (at least every
// max_sleep). On a shared store (rescan_after_commits), commits also lead to
// a whole rescan: the entries other nodes queued. Retries follow
// retry_schedule with +/- jitter; 429/503 wait at least Retry-After. After the last attempt a delivery is dead-lettered
// (<root>dead/). 410 Gone, or failing without a success for disable_after
// (when the targets count failures), disables the endpoint. Store errors
// are logged to options.info_log.
//
// With a gate (options.gate: the cluster's background lease), no attempt
// starts while it is closed; when it opens, the lanes are rebuilt from the
// whole queue (another node may have delivered meanwhile). Outcomes carry
// the gate's fence, so those of a holding that was lost are refused.
//
// Thread-safety: Start/Stop from one thread; Expect, Wake, Rescan and stats
// are safe from any thread. *store, *targets and *clock must outlive it.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/notify/delivery_targets.h"
#include "engine/notify/outcome_recorder.h"
#include "engine/notify/queue_layout.h"
#include "engine/store/event_store.h"
#include "engine/store/work_gate.h"
#include "engine/util/clock.h"
#include "engine/util/log.h"
#include "plugins/channel.h"

namespace boost::asio {
class io_context;
}

namespace relais::notify {

struct DispatcherOptions {
  // Delay before each retry after a failed attempt; the number of entries is
  // the number of retries (a delivery gets 1 + size attempts, then is
  // dead-lettered). Default: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
  std::vector<std::chrono::milliseconds> retry_schedule{
      std::chrono::milliseconds(0),          std::chrono::milliseconds(5'000),
      std::chrono::milliseconds(300'000),    std::chrono::milliseconds(1'800'000),
      std::chrono::milliseconds(7'200'000),  std::chrono::milliseconds(18'000'000),
      std::chrono::milliseconds(36'000'000), std::chrono::milliseconds(36'000'000)};
  size_t jitter_percent = 10;                // each delay is moved by up to +/- this percentage
  size_t max_concurrency_per_endpoint = 16;  // requests in flight to one endpoint
  // An endpoint failing without one success for this long is disabled (5 days).
  std::chrono::milliseconds disable_after{432'000'000};
  std::chrono::milliseconds max_sleep{1'000};  // due retries are re-checked at least this often
  // Where store errors and disabled endpoints are reported; never null, and
  // must outlive the dispatcher.
  Logger* info_log = &NullLogger();
  // Attempts start only while this gate is open (null: always), and the
  // outcomes carry its fence; must outlive the dispatcher.
  const WorkGate* gate = nullptr;
  // A store shared with other nodes, whose appends queue entries this
  // dispatcher is not told of (Expect): when > 0, commits lead to a rescan
  // of the whole queue at most this often. 0: only the periodic rescan.
  std::chrono::milliseconds rescan_after_commits{0};
};

struct DispatcherStats {
  uint64_t delivered = 0;  // deliveries that succeeded
  uint64_t attempts = 0;   // attempts made
  uint64_t dead = 0;       // deliveries dead-lettered
  uint64_t lanes = 0;      // lanes with work in memory
};

class Dispatcher {
 public:
  using ChannelFactory =
      std::function<StatusOr<std::unique_ptr<plugins::NotificationChannel>>(boost::asio::io_context&)>;

  Dispatcher(EventStore& store, QueueLayout layout, DeliveryTargets& targets, const Clock& clock,
             DispatcherOptions options, ChannelFactory make_channel);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Creates the channel, finds every pending lane and starts delivering.
  // Errors: the channel factory's.
  Status Start();
  // Stops delivering; attempts in flight are abandoned (they stay queued).
  void Stop();

  // The outbox queued these deliveries (QueuedDelivery::Suffix) in an append
  // that may not have committed yet: each is looked for after commits.
  void Expect(std::vector<std::string> suffixes);
  // Look at what is due now.
  void Wake();
  // Returns once the outcomes handed to the writer so far, and the endpoints
  // disabled so far, are in the store: readers of the queue, attempts, dead
  // letters and endpoints then see them, and a replay's writes cannot be
  // overtaken by an older queue update.
  void Settle();
  // Rebuild the lanes from the whole queue (after a re-enable or a replay).
  void Rescan();
  // Call before writing entries back into the queue (a replay): lanes then
  // look for their head from their start, not past what they delivered.
  void BeforeRequeue();

  // Replaces the observer of written attempts (OutcomeRecorder): called with
  // each batch of attempt records once it is in the store, on another
  // thread. nullptr: none. Once it returns, the previous observer is not
  // running and will not be called again. Safe from any thread.
  void OnAttemptsWritten(AttemptsObserver observer);

  DispatcherStats stats() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace relais::notify
