// EventStore: the append-only, event-sourced heart of Relais.
//
// Every project is a stream of events. An append writes one or more events to
// one stream atomically, with optimistic concurrency (ExpectedVersion), and is
// acknowledged only once durable. Events get a per-stream version (1..n,
// gapless) and a global position (1..n, gapless, in commit order): a reader of
// the global log never sees position n+1 before n.
//
// Appends may carry side writes (KvWrites) that commit in the same atomic batch:
// outbox entries, timers, index updates of later subsystems. A small key-value
// space (Kv*) holds those; its keys are namespaced by the caller ("outbox/...").
//
// Two implementations share one contract test suite: RocksDbEventStore
// (durable) and MemoryEventStore (fast unit tests).
//
// Thread-safety: an EventStore is safe for concurrent access from multiple
// threads without any external synchronization.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/store/event.h"
#include "engine/util/status.h"

namespace relais {

// What the appender believes the stream's current version is.
class ExpectedVersion {
 public:
  static ExpectedVersion Any() { return ExpectedVersion(Kind::kAny, 0); }
  static ExpectedVersion NoStream() { return ExpectedVersion(Kind::kNoStream, 0); }
  // The stream's last version must be exactly v (v >= 1).
  static ExpectedVersion Exact(uint64_t v) { return ExpectedVersion(Kind::kExact, v); }

  bool is_any() const { return kind_ == Kind::kAny; }
  bool is_no_stream() const { return kind_ == Kind::kNoStream; }
  bool is_exact() const { return kind_ == Kind::kExact; }
  uint64_t version() const { return version_; }
  // True if a stream whose last version is `current` (0: no stream) satisfies it.
  bool Matches(uint64_t current) const;
  std::string ToString() const;

 private:
  enum class Kind : uint8_t { kAny, kNoStream, kExact };
  ExpectedVersion(Kind k, uint64_t v) : kind_(k), version_(v) {}
  Kind kind_;
  uint64_t version_;
};

// A fencing token: the lease it was granted under, and the token the lease
// had then. Writes carrying one are refused once another holder has taken
// the lease (its token then grew), so a node that lost its lease while
// working (a pause, a partition) cannot overwrite what the new holder does.
struct Fence {
  std::string lease;
  uint64_t token = 0;
  bool operator==(const Fence&) const = default;
};

// The answer to AcquireLease.
struct LeaseGrant {
  bool held = false;   // the caller holds the lease now (new, renewed or re-taken)
  uint64_t token = 0;  // when held: the lease's fencing token
  std::string holder;  // when not held: who holds it
};

// Side writes committed atomically with an append (or alone, via KvWrite).
struct KvWrites {
  struct Op {
    std::string key;
    std::optional<std::string> value;  // nullopt: delete
  };
  std::vector<Op> ops;
  // For KvWrite alone: false writes atomically but without waiting for the
  // disk, for derived data that can be rebuilt (read models): a crash may lose
  // the last such writes, never half of one. Side writes of an append are
  // always as durable as the append.
  bool sync = true;
  // For KvWrite alone: refused (kFailedPrecondition, nothing written) unless
  // the fence's lease still has the fence's token. Must be unset on an
  // append's side writes (they are guarded by the append's expected version
  // and event ids).
  std::optional<Fence> fence;
  void Put(std::string key, std::string value) { ops.push_back({std::move(key), std::move(value)}); }
  void Delete(std::string key) { ops.push_back({std::move(key), std::nullopt}); }
  bool empty() const { return ops.empty(); }
};

struct AppendResult {
  uint64_t first_version = 0;  // version of the first event of this append
  uint64_t last_version = 0;   // the stream's version after the append
  uint64_t first_position = 0;
  uint64_t last_position = 0;
  bool deduplicated = false;  // true: these event ids were already stored; nothing was written
  TimePoint recorded_at{};    // the stamp the events carry (not set when deduplicated)
};

struct AppendRequest {
  std::string stream_id;
  ExpectedVersion expected = ExpectedVersion::Any();
  std::vector<NewEvent> events;  // REQUIRES: non-empty, distinct UUID event ids
  KvWrites side_writes;
  // Replaces the stream's snapshot in the same batch, so that saving it
  // costs no write (nor wait) of its own. REQUIRES: its version is at most
  // the stream's version before this append (kInvalidArgument otherwise,
  // nothing written).
  std::optional<Snapshot> snapshot;
  // Called once versions and positions are assigned, on the committing thread,
  // to add writes that need them (e.g. an outbox keyed by position). Must be
  // fast and must not call back into the store.
  std::function<void(const AppendResult&, KvWrites&)> attach;
  // A copy of another store (relais copy-store): the time the events were
  // first recorded, kept instead of now.
  std::optional<TimePoint> recorded_at;
};

struct KvEntry {
  std::string key;
  std::string value;
};

// A page of the global log.
struct LogPage {
  std::vector<RecordedEvent> events;
  uint64_t next_position = 0;  // where the next page starts
};

struct StoreStats {
  uint64_t last_position = 0;
  uint64_t appends = 0;          // acknowledged appends since open
  uint64_t commit_groups = 0;    // durable syncs since open (appends / groups = batching factor)
  uint64_t disk_bytes = 0;       // live files on disk (0 for the in-memory store)
  uint64_t background_jobs = 0;  // flushes and compactions running or pending (they take CPU and disk)
};

class EventStore {
 public:
  using AppendCallback = std::function<void(StatusOr<AppendResult>)>;
  // Called after each commit with the last committed position. Runs on the
  // committing thread: must be fast and must not block or call append.
  using CommitListener = std::function<void(uint64_t last_position)>;

  class Subscription {
   public:
    Subscription() = default;
    explicit Subscription(std::function<void()> cancel) : cancel_(std::move(cancel)) {}
    Subscription(Subscription&& o) noexcept : cancel_(std::move(o.cancel_)) { o.cancel_ = nullptr; }
    Subscription& operator=(Subscription&& o) noexcept {
      Reset();
      cancel_ = std::move(o.cancel_);
      o.cancel_ = nullptr;
      return *this;
    }
    ~Subscription() { Reset(); }
    // Stops notifications; after it returns the listener is not running and
    // will not be called again.
    void Reset() {
      if (cancel_) cancel_();
      cancel_ = nullptr;
    }

   private:
    std::function<void()> cancel_;
  };

  virtual ~EventStore() = default;

  // Appends request.events to request.stream_id if request.expected matches.
  // On success the events and side writes are durable and visible.
  // Re-sending event ids already stored, in the same stream, in the same order
  // and with an expectation they satisfied, succeeds with deduplicated=true and
  // writes nothing.
  // Errors: kVersionConflict (actual_version() carries the stream's version);
  // kInvalidArgument (empty append, bad id, limits); kAlreadyExists (an event id
  // already used elsewhere); kUnavailable (I/O error or closing: nothing of the
  // append is visible); may return some other Status on an error.
  // The callback runs exactly once: on the calling thread when the request is
  // refused before queueing, otherwise on an internal thread; it must not block.
  virtual void AppendAsync(AppendRequest request, AppendCallback done) = 0;

  // Blocking form of AppendAsync.
  StatusOr<AppendResult> Append(AppendRequest request);
  StatusOr<AppendResult> Append(std::string stream_id, ExpectedVersion expected, std::vector<NewEvent> events);

  // The stream's last version; 0 if the stream does not exist.
  virtual StatusOr<uint64_t> StreamVersion(const std::string& stream_id) = 0;

  // Up to max_count events of one stream, from version from_version (>= 1) on.
  // An unknown stream yields an empty vector.
  virtual StatusOr<std::vector<RecordedEvent>> ReadStream(const std::string& stream_id, uint64_t from_version,
                                                          size_t max_count) = 0;

  // Up to max_count events of the global log from position from_position (>= 1).
  virtual StatusOr<LogPage> ReadAll(uint64_t from_position, size_t max_count) = 0;

  // Where an event id is stored; nullopt when it is not.
  virtual StatusOr<std::optional<EventLocation>> LookupEvent(const std::string& event_id) = 0;

  // The last committed global position (0 when empty).
  virtual uint64_t LastPosition() const = 0;

  // Registers listener for commit notifications (no polling needed). A
  // listener hears of a commit before any of its appends is acknowledged.
  virtual Subscription Subscribe(CommitListener listener) = 0;

  // Blocks until LastPosition() >= position or timeout; returns whether reached.
  bool WaitForPosition(uint64_t position, std::chrono::milliseconds timeout);

  // Snapshots: the latest one per stream; older ones are replaced.
  // Writing a snapshot older than the stored one is a no-op.
  virtual Status SaveSnapshot(const std::string& stream_id, const Snapshot& snapshot) = 0;
  virtual StatusOr<std::optional<Snapshot>> LoadSnapshot(const std::string& stream_id) = 0;

  // The side key-value space. KvWrite applies writes atomically, and durably
  // unless writes.sync is false.
  virtual Status KvWrite(const KvWrites& writes) = 0;
  virtual StatusOr<std::optional<std::string>> KvGet(const std::string& key) = 0;
  // Entries with keys starting with prefix, in key order, strictly after
  // start_after (empty: from the first), at most max_count.
  virtual StatusOr<std::vector<KvEntry>> KvScan(const std::string& prefix, const std::string& start_after,
                                                size_t max_count) = 0;

  // Leases: one holder at a time for a named piece of work (a cluster's
  // background work, docs/deploy.md), for ttl from the store's own clock.
  // AcquireLease takes the lease when it is free or expired, or renews it
  // when holder already holds it; the fencing token grows each time the
  // lease changes hands or is re-taken after expiring, never on a renewal.
  // Not held: held=false with the current holder. The embedded stores keep
  // leases in memory (one process per store: tokens restart after a
  // restart); PostgreSQL keeps them in the database, on its clock.
  // Errors: kInvalidArgument (empty name or holder, ttl not positive);
  // kUnavailable (the store cannot be reached).
  virtual StatusOr<LeaseGrant> AcquireLease(const std::string& lease, const std::string& holder,
                                            std::chrono::milliseconds ttl) = 0;
  // Gives the lease up at once when holder holds it (else does nothing).
  virtual Status ReleaseLease(const std::string& lease, const std::string& holder) = 0;

  virtual StoreStats Stats() const = 0;

  // OK while appends and writes can succeed; kUnavailable with the reason
  // (what failed, where, what to do) while they cannot, e.g. after an I/O
  // error until the store has recovered from it. For readiness checks: a
  // cheap in-memory answer, no I/O.
  virtual Status Writable() const = 0;
};

}  // namespace relais
