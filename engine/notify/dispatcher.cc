#include "engine/notify/dispatcher.h"

#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "engine/notify/outbox.h"
#include "engine/notify/webhook_keys.h"
#include "engine/store/kv_write_behind.h"
#include "engine/util/time_format.h"
#include "engine/util/uuid.h"

namespace relais::notify {

namespace net = boost::asio;
using std::chrono::duration_cast;
using std::chrono::microseconds;

namespace {

void LogError(const char* what, const Status& s) {
  std::fprintf(stderr, "relais: webhooks: %s: %s\n", what, s.ToString().c_str());
}

const char* KindName(plugins::OutcomeKind kind) {
  switch (kind) {
    case plugins::OutcomeKind::kDelivered: return "delivered";
    case plugins::OutcomeKind::kRetry: return "failed";
    case plugins::OutcomeKind::kGone: return "gone";
    case plugins::OutcomeKind::kRefused: return "refused";
  }
  return "failed";
}

}  // namespace

struct Dispatcher::State : std::enable_shared_from_this<Dispatcher::State> {
  State(EventStore& s, EndpointRegistry& r, const Clock& c, DispatcherOptions o, ChannelFactory f)
      : store(s), registry(r), clock(c), options(std::move(o)), make_channel(std::move(f)), writer(s), timer(io) {}

  struct Lane {
    std::string endpoint;
    bool busy = false, queued = false, waiting = false, blocked = false;
  };
  struct Expected {
    std::string suffix;
    std::chrono::steady_clock::time_point since;
  };

  EventStore& store;
  EndpointRegistry& registry;
  const Clock& clock;
  const DispatcherOptions options;
  ChannelFactory make_channel;
  NoticeHook notice_hook;
  // Outcome records and queue updates are written by this writer's thread:
  // the I/O thread never waits behind the fsync of a group of appends. Its
  // unwritten changes are applied over what the I/O thread reads of the
  // queue.
  KvWriteBehind writer;

  net::io_context io;
  std::unique_ptr<net::executor_work_guard<net::io_context::executor_type>> work;
  net::steady_timer timer;
  std::thread thread;
  std::unique_ptr<plugins::NotificationChannel> channel;
  EventStore::Subscription subscription;
  std::atomic<bool> wake_pending{false};
  std::atomic<bool> stopped{false};
  std::atomic<bool> running{false};  // between Start and Stop: wakes are posted only then

  std::mutex expected_mu;
  std::vector<Expected> incoming;  // from Expect, any thread

  // The I/O thread's alone.
  // Outcome writes (attempt records, queue updates) gathered while handling
  // outcomes: handed to the writer in one batch per Pump.
  KvWrites pending;
  // Per lane, the last queue key it delivered or dead-lettered: its next
  // entry is looked for after it, not over the deleted entries before it
  // (which RocksDB keeps as tombstones until a compaction). Forgotten on
  // every rescan, and whenever entries are queued again below them (a
  // replay): queue_epoch moves before such a write.
  std::unordered_map<std::string, std::string> lane_after;
  std::atomic<uint64_t> queue_epoch{0};
  uint64_t cursor_epoch = 0;
  std::vector<Expected> expected;
  std::unordered_map<std::string, Lane> lanes;
  std::deque<std::string> ready;
  std::multimap<TimePoint, std::string> retries;
  std::unordered_map<std::string, std::deque<std::string>> blocked;
  std::unordered_map<std::string, size_t> in_flight;
  std::mt19937_64 random{std::random_device{}()};
  // A safety net: the whole queue is looked at this often, so no entry can
  // wait for a wake-up that was missed.
  static constexpr std::chrono::seconds kRescanEvery{30};
  std::chrono::steady_clock::time_point last_rescan = std::chrono::steady_clock::now();

  std::atomic<uint64_t> delivered{0}, attempts{0}, dead{0}, lane_count{0};

  void Wake() {
    if (!running || stopped || wake_pending.exchange(true)) return;
    net::post(io, [weak = weak_from_this()] {
      if (auto self = weak.lock()) {
        self->wake_pending = false;
        self->Pump();
      }
    });
  }

  Lane& EnsureLane(const std::string& key) {
    auto [it, inserted] = lanes.try_emplace(key);
    if (inserted) it->second.endpoint = key.substr(0, key.find('/'));
    return it->second;
  }

  void Enqueue(const std::string& key) {
    Lane& lane = EnsureLane(key);
    if (lane.busy || lane.queued || lane.waiting || lane.blocked) return;
    lane.queued = true;
    ready.push_back(key);
  }

  void RescanNow() {
    lane_after.clear();
    std::string after;
    while (true) {
      auto page = store.KvScan(std::string(kQueuePrefix), after, 1);
      if (!page.ok()) return LogError("scanning the queue", page.status());
      if (page->empty()) break;
      std::string suffix = page->front().key.substr(kQueuePrefix.size());
      std::string lane = suffix.substr(0, suffix.rfind('/'));
      Enqueue(lane);
      after = QueueKey(lane + "/~");  // past this lane's entries
    }
  }

  void CheckExpected() {
    {
      std::lock_guard lock(expected_mu);
      for (auto& e : incoming) expected.push_back(std::move(e));
      incoming.clear();
    }
    const auto now = std::chrono::steady_clock::now();
    std::erase_if(expected, [&](const Expected& e) {
      auto value = store.KvGet(QueueKey(e.suffix));
      if (value.ok() && value->has_value()) {
        Enqueue(e.suffix.substr(0, e.suffix.rfind('/')));
        return true;
      }
      // Not committed yet, or already delivered by its lane (which found it
      // itself), or its append failed. Two seconds on it is dropped: an
      // append committed later than that is found by the periodic rescan.
      return now - e.since > std::chrono::seconds(2);
    });
  }

  void Flush() {
    if (pending.empty()) return;
    writer.Submit(std::move(pending));
    pending = KvWrites{};
  }

  // The lane's oldest queued entry, as the store plus the writer's unwritten
  // changes have it; nullopt when the lane is empty.
  StatusOr<std::optional<KvEntry>> LaneHead(const std::string& key) {
    // Usually the first entry is the head: read one, then pages of eight
    // past entries deleted by unwritten changes.
    constexpr size_t kPage = 8;
    const uint64_t epoch = queue_epoch.load();
    if (epoch != cursor_epoch) {
      lane_after.clear();
      cursor_epoch = epoch;
    }
    const std::string prefix = QueueKey(key + "/");
    std::string after;
    if (auto it = lane_after.find(key); it != lane_after.end()) after = it->second;
    const bool from_cursor = !after.empty();
    for (size_t want = 1;; want = kPage) {
      RELAIS_ASSIGN_OR_RETURN(auto page, store.KvScan(prefix, after, want));
      // Entries queued again below the cursor while scanning: look again
      // from the lane's start (the epoch moved, so the cursor is dropped).
      if (from_cursor && queue_epoch.load() != epoch) return LaneHead(key);
      for (KvEntry& entry : page) {
        auto change = writer.Unwritten(entry.key);
        if (!change) return std::optional<KvEntry>(std::move(entry));
        if (*change) {
          entry.value = std::move(**change);
          return std::optional<KvEntry>(std::move(entry));
        }
        after = entry.key;  // deleted, not yet written
      }
      if (page.size() < want) return std::optional<KvEntry>();
    }
  }

  void Pump() {
    if (stopped) return;
    Flush();
    if (std::chrono::steady_clock::now() - last_rescan > kRescanEvery) {
      last_rescan = std::chrono::steady_clock::now();
      RescanNow();
    }
    CheckExpected();
    const TimePoint now = clock.Now();
    while (!retries.empty() && retries.begin()->first <= now) {
      std::string key = retries.begin()->second;
      retries.erase(retries.begin());
      auto it = lanes.find(key);
      if (it == lanes.end()) continue;
      it->second.waiting = false;
      Enqueue(key);
    }
    while (!ready.empty() && !stopped) {
      std::string key = std::move(ready.front());
      ready.pop_front();
      auto it = lanes.find(key);
      if (it == lanes.end()) continue;
      Lane& lane = it->second;
      lane.queued = false;
      if (lane.busy) continue;
      if (in_flight[lane.endpoint] >= options.max_concurrency_per_endpoint) {
        lane.blocked = true;
        blocked[lane.endpoint].push_back(key);
        continue;
      }
      StartLane(key, lane);
    }
    lane_count = lanes.size();
    ArmTimer();
  }

  void ArmTimer() {
    auto sleep = duration_cast<microseconds>(options.max_sleep);
    if (!retries.empty()) {
      auto until = retries.begin()->first - clock.Now();
      sleep = std::clamp(until, microseconds(0), sleep);
    }
    timer.expires_after(sleep);
    timer.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      if (ec) return;
      if (auto self = weak.lock()) self->Pump();
    });
  }

  void EraseLane(const std::string& key) { lanes.erase(key); }

  void StartLane(const std::string& key, Lane& lane) {
    auto head = LaneHead(key);
    if (!head.ok()) {
      LogError("reading a lane", head.status());
      lane.waiting = true;
      retries.emplace(clock.Now() + std::chrono::seconds(1), key);
      return;
    }
    if (!*head) return EraseLane(key);
    const KvEntry& entry = **head;
    auto delivery = QueuedDelivery::FromStored(entry.value);
    if (!delivery.ok()) {
      // Unreadable: set aside as a dead letter holding the raw text, never dropped.
      LogError("a queued delivery", delivery.status());
      KvWrites w;
      w.Delete(entry.key);
      w.Put(std::string(kDeadPrefix) + "corrupt-" + NameUuid(entry.key), DumpJson(Json{{"raw", entry.value}}));
      if (Status s = store.KvWrite(w); !s.ok()) LogError("setting aside a corrupt delivery", s);
      return Enqueue(key);
    }
    const TimePoint now = clock.Now();
    if (delivery->next_at && *delivery->next_at > now) {
      lane.waiting = true;
      retries.emplace(*delivery->next_at, key);
      return;
    }
    auto endpoint = registry.Get(lane.endpoint);
    if (!endpoint.ok()) {
      // The endpoint was deleted: its pending deliveries go with it.
      DropLane(key);
      return EraseLane(key);
    }
    if (!endpoint->active) return EraseLane(key);  // kept queued; a re-enable rescans
    plugins::Delivery d;
    d.id = delivery->id;
    d.endpoint_id = endpoint->id;
    d.url = endpoint->url;
    d.secrets = endpoint->SigningSecrets(now);
    d.body = delivery->body;
    d.timestamp = now;
    lane.busy = true;
    ++in_flight[lane.endpoint];
    channel->Deliver(d, [weak = weak_from_this(), key, q = std::move(*delivery)](plugins::DeliveryOutcome outcome) mutable {
      if (auto self = weak.lock()) self->OnOutcome(key, std::move(q), std::move(outcome));
    });
  }

  void DropLane(const std::string& key) {
    auto entries = store.KvScan(QueueKey(key + "/"), "", 100'000);
    if (!entries.ok()) return LogError("dropping a deleted endpoint's deliveries", entries.status());
    KvWrites w;
    w.sync = false;
    for (const auto& e : *entries) w.Delete(e.key);
    if (Status s = store.KvWrite(w); !s.ok()) LogError("dropping a deleted endpoint's deliveries", s);
  }

  void ReleaseSlot(const std::string& endpoint) {
    if (--in_flight[endpoint] == 0) in_flight.erase(endpoint);
    auto it = blocked.find(endpoint);
    if (it == blocked.end()) return;
    while (!it->second.empty()) {
      std::string key = std::move(it->second.front());
      it->second.pop_front();
      auto lane = lanes.find(key);
      if (lane == lanes.end()) continue;
      lane->second.blocked = false;
      Enqueue(key);
      break;
    }
    if (it->second.empty()) blocked.erase(it);
  }

  microseconds RetryDelay(uint32_t failed_attempts, const std::optional<std::chrono::seconds>& retry_after) {
    auto base = duration_cast<microseconds>(options.retry_schedule[failed_attempts - 1]);
    if (options.jitter_percent > 0 && base.count() > 0) {
      int64_t span = base.count() * static_cast<int64_t>(options.jitter_percent) / 100;
      std::uniform_int_distribution<int64_t> jitter(-span, span);
      base += microseconds(jitter(random));
    }
    if (retry_after) base = std::max(base, duration_cast<microseconds>(*retry_after));
    return base;
  }

  void DisableEndpoint(const std::string& endpoint_id, const std::string& reason) {
    auto changed = registry.Disable(endpoint_id, reason);
    if (!changed.ok()) return LogError("disabling an endpoint", changed.status());
    if (!*changed) return;
    auto endpoint = registry.Get(endpoint_id);
    if (!endpoint.ok()) return;
    AppendRequest request;
    request.stream_id = std::string(kWebhookSystemStream);
    NewEvent event;
    event.event_id = NameUuid("webhook-disabled/" + endpoint_id + "/" +
                              std::to_string(endpoint->disabled_at ? ToMicros(*endpoint->disabled_at) : 0));
    event.type = std::string(kEndpointDisabled);
    event.data = {{"endpoint", endpoint_id}, {"partner", endpoint->partner}, {"url", endpoint->url}, {"reason", reason}};
    event.metadata.actor = "relais:webhooks";
    request.events.push_back(std::move(event));
    // Only this thread appends to the stream, so its version cannot move
    // meanwhile; the append waits for the disk, which is rare enough here.
    auto version = store.StreamVersion(request.stream_id);
    if (!version.ok()) return LogError("recording that an endpoint was disabled", version.status());
    request.expected = *version == 0 ? ExpectedVersion::NoStream() : ExpectedVersion::Exact(*version);
    if (notice_hook) notice_hook(endpoint_id, endpoint->partner, *version + 1, request.events, request.side_writes);
    if (auto r = store.Append(std::move(request)); !r.ok())
      LogError("recording that an endpoint was disabled", r.status());
  }

  void OnOutcome(const std::string& key, QueuedDelivery q, plugins::DeliveryOutcome outcome) {
    auto it = lanes.find(key);
    if (it != lanes.end()) it->second.busy = false;
    ReleaseSlot(q.endpoint);
    ++attempts;
    if (stopped) return;
    const TimePoint now = clock.Now();
    const uint32_t n = q.attempts + 1;
    Json record = {{"delivery", q.id},
                   {"endpoint", q.endpoint},
                   {"project", q.project},
                   {"event_id", q.event_id},
                   {"type", q.type},
                   {"attempt", n},
                   {"at", FormatIso8601(now)},
                   {"outcome", KindName(outcome.kind)},
                   {"status", outcome.status},
                   {"latency_ms", static_cast<double>(outcome.latency.count()) / 1000.0},
                   {"excerpt", outcome.excerpt}};
    if (outcome.retry_after) record["retry_after_s"] = outcome.retry_after->count();
    KvWrites w;
    w.sync = false;
    const std::string record_text = DumpJson(record);
    w.Put(AttemptKey(q.id, n), record_text);
    w.Put(EndpointLogKey(q.endpoint, ToMicros(now), q.id, n), record_text);
    q.attempts = n;
    const std::string queue_key = QueueKey(q.Suffix());
    bool next = true;  // the lane may go on with its next entry
    switch (outcome.kind) {
      case plugins::OutcomeKind::kDelivered:
        w.Delete(queue_key);
        lane_after[key] = queue_key;
        ++delivered;
        if (Status s = registry.RecordSuccess(q.endpoint); !s.ok()) LogError("recording a success", s);
        break;
      case plugins::OutcomeKind::kGone:
        q.next_at.reset();
        w.Put(queue_key, q.ToStored());
        DisableEndpoint(q.endpoint, "the endpoint answered 410 Gone");
        next = false;
        break;
      case plugins::OutcomeKind::kRefused:
        DeadLetter(q, outcome, now, w);
        lane_after[key] = queue_key;
        break;
      case plugins::OutcomeKind::kRetry: {
        auto since = registry.RecordFailure(q.endpoint, now);
        if (since.ok() && now - *since >= duration_cast<microseconds>(options.disable_after)) {
          q.next_at.reset();
          w.Put(queue_key, q.ToStored());
          DisableEndpoint(q.endpoint, "no successful delivery since " + FormatIso8601(*since));
          next = false;
          break;
        }
        if (n > options.retry_schedule.size()) {
          DeadLetter(q, outcome, now, w);
          lane_after[key] = queue_key;
          break;
        }
        q.next_at = now + RetryDelay(n, outcome.retry_after);
        w.Put(queue_key, q.ToStored());
        if (it != lanes.end()) {
          it->second.waiting = true;
          retries.emplace(*q.next_at, key);
        }
        next = false;
        break;
      }
    }
    for (auto& op : w.ops) pending.ops.push_back(std::move(op));
    if (next) {
      Enqueue(key);
    } else if (it != lanes.end() && !it->second.waiting) {
      EraseLane(key);
    }
    Wake();
  }

  void DeadLetter(const QueuedDelivery& q, const plugins::DeliveryOutcome& outcome, TimePoint now, KvWrites& w) {
    w.Delete(QueueKey(q.Suffix()));
    Json entry = {{"delivery", Json::parse(q.ToStored())},
                  {"dead_at", FormatIso8601(now)},
                  {"dead_at_us", ToMicros(now)},
                  {"last_status", outcome.status},
                  {"last_error", outcome.excerpt}};
    w.Put(DeadKey(q.id), DumpJson(entry));
    ++dead;
  }
};

Dispatcher::Dispatcher(EventStore& store, EndpointRegistry& registry, const Clock& clock, DispatcherOptions options,
                       ChannelFactory make_channel)
    : state_(std::make_shared<State>(store, registry, clock, std::move(options), std::move(make_channel))) {}

Dispatcher::~Dispatcher() { Stop(); }

Status Dispatcher::Start() {
  State& s = *state_;
  if (s.thread.joinable()) return Status::Ok();
  RELAIS_ASSIGN_OR_RETURN(s.channel, s.make_channel(s.io));
  s.work = std::make_unique<net::executor_work_guard<net::io_context::executor_type>>(s.io.get_executor());
  std::weak_ptr<State> weak = state_;
  s.subscription = s.store.Subscribe([weak](uint64_t) {
    if (auto self = weak.lock()) self->Wake();
  });
  net::post(s.io, [weak] {
    if (auto self = weak.lock()) {
      self->RescanNow();
      self->Pump();
    }
  });
  s.running = true;
  s.thread = std::thread([self = state_] { self->io.run(); });
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
      self->Flush();
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
  s.writer.Drain();  // what Stop's last Flush handed over is in the store
}

void Dispatcher::Expect(std::vector<std::string> suffixes) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(state_->expected_mu);
  for (auto& s : suffixes) state_->incoming.push_back({std::move(s), now});
}

void Dispatcher::Wake() { state_->Wake(); }

void Dispatcher::Settle() { state_->writer.Drain(); }

void Dispatcher::BeforeRequeue() { ++state_->queue_epoch; }

void Dispatcher::SetNoticeHook(NoticeHook hook) { state_->notice_hook = std::move(hook); }

void Dispatcher::Rescan() {
  if (!state_->running || state_->stopped) return;
  net::post(state_->io, [weak = std::weak_ptr<State>(state_)] {
    if (auto self = weak.lock()) {
      self->RescanNow();
      self->Pump();
    }
  });
}

DispatcherStats Dispatcher::stats() const {
  return {state_->delivered.load(), state_->attempts.load(), state_->dead.load(), state_->lane_count.load()};
}

}  // namespace relais::notify
