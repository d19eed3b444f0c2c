// PostgresEventStore: the EventStore on PostgreSQL 15 (docs/storage.md,
// "PostgreSQL"), for several Relais nodes on one replicated database.
//
// Appends are queued to one committer thread per process, which takes every
// append waiting (up to max_batch_events / max_batch_bytes) and commits them
// in ONE transaction (group commit, as the RocksDB store shares one WAL
// sync). The transaction first takes a database-wide advisory lock
// (pg_advisory_xact_lock), held until it commits: global positions are
// max(position) + 1, ..., assigned by one transaction at a time across every
// node, so they are gapless and in commit order as every reader sees them
// (a sequence would be neither). Stream versions are guarded by a unique
// (stream_id, version) key and the expected-version check under the lock;
// idempotent re-sends by the unique event id (append_rules.h, as every
// store). Side writes and the snapshot commit in the same transaction.
// A group costs ONE round trip (libpq pipeline mode) when the node knows
// the last version of each of its streams (its own commits and other nodes'
// notifications tell it): BEGIN, the lock, a check under the lock that each
// stream is at that version (else the transaction is refused and rolled
// back), the writes, the notification and COMMIT. Otherwise (a stream it
// does not know, a version that moved, a refusal, a re-send) two: BEGIN,
// the lock and the reads of versions and event ids; then the writes, the
// notification and COMMIT. Statements are prepared once per connection.
//
// Other nodes' commits: each commit sends a notification (pg_notify on a
// channel named after the store's schema, delivered at commit) with its last
// position. A listener thread with its own connection (LISTEN) raises
// LastPosition and runs the commit listeners on it, so this node's read
// model, live streams and timers wake. The notification is only a wake-up:
// every catch_up_interval, and after the listening connection is lost and
// re-established, the listener reads max(position) itself, so a lost
// notification delays an event and never loses it.
//
// A notification also carries the commit's events when they fit
// (notify_events_bytes): the listener keeps them, as the committer keeps its
// own, in RecentEvents, and ReadAll serves a run of held positions without a
// query. A position not held is read from the database.
//
// The schema is created and upgraded by Open (pg_schema.h); a database whose
// schema is newer than this binary's is refused.
//
// Thread-safety: safe for concurrent access from multiple threads without any
// external synchronization. Append callbacks run on the committer thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "engine/store/commit_listeners.h"
#include "engine/store/event_store.h"
#include "engine/store/pg_connection.h"
#include "engine/store/recent_events.h"
#include "engine/util/clock.h"

namespace relais {

struct PostgresStoreOptions {
  std::string conninfo;              // a libpq connection string (store.postgres.conninfo)
  size_t max_batch_events = 1024;    // events in one commit group
  size_t max_batch_bytes = 8 << 20;  // encoded bytes in one commit group
  size_t read_connections = 4;       // connections for reads and key-value writes
  // Other nodes' commits are looked for at least this often, besides their
  // notifications (store.postgres.catch_up_interval_ms).
  std::chrono::milliseconds catch_up_interval{1000};
  // The last events committed here or carried by other nodes' notifications,
  // kept for ReadAll (store.postgres.recent_events; 0: every read queries).
  size_t recent_events = 4096;
  // Most bytes of a commit's events carried in its notification (base64);
  // a larger commit sends its last position only (store.postgres.
  // notify_events_bytes; 0: never; PostgreSQL's limit is 8000).
  size_t notify_events_bytes = 7000;
  // Streams whose last version a node keeps, to commit a group in one round
  // trip (store.postgres.stream_versions; 0: every group reads them).
  size_t stream_versions = 65536;
  EventLimits limits;
  const Clock* clock = nullptr;  // nullptr: the system clock; must outlive the store
};

class PostgresEventStore final : public EventStore {
 public:
  // Connects, creates or upgrades the schema, reads the last position.
  // Errors: kUnavailable (cannot connect), kFailedPrecondition (a schema
  // newer than this binary, or not Relais's), one line each.
  static StatusOr<std::unique_ptr<PostgresEventStore>> Open(const PostgresStoreOptions& options);
  // Finishes queued appends, stops the committer, closes the connections.
  ~PostgresEventStore() override;

  void AppendAsync(AppendRequest request, AppendCallback done) override;
  StatusOr<uint64_t> StreamVersion(const std::string& stream_id) override;
  StatusOr<std::vector<RecordedEvent>> ReadStream(const std::string& stream_id, uint64_t from_version,
                                                  size_t max_count) override;
  StatusOr<LogPage> ReadAll(uint64_t from_position, size_t max_count) override;
  StatusOr<std::optional<EventLocation>> LookupEvent(const std::string& event_id) override;
  uint64_t LastPosition() const override { return last_position_.load(std::memory_order_acquire); }
  Subscription Subscribe(CommitListener listener) override { return listeners_.Add(std::move(listener)); }
  Status SaveSnapshot(const std::string& stream_id, const Snapshot& snapshot) override;
  StatusOr<std::optional<Snapshot>> LoadSnapshot(const std::string& stream_id) override;
  Status KvWrite(const KvWrites& writes) override;
  StatusOr<std::optional<std::string>> KvGet(const std::string& key) override;
  StatusOr<std::vector<KvEntry>> KvScan(const std::string& prefix, const std::string& start_after,
                                        size_t max_count) override;
  StatusOr<LeaseGrant> AcquireLease(const std::string& lease, const std::string& holder,
                                    std::chrono::milliseconds ttl) override;
  Status ReleaseLease(const std::string& lease, const std::string& holder) override;
  StoreStats Stats() const override;

  // How groups were committed since open: in one round trip on known
  // versions, or on versions read (of which `missed` were first tried on
  // known versions and refused: a version had moved, an id was stored).
  struct CommitPaths {
    uint64_t known = 0, read = 0, missed = 0;
  };
  CommitPaths commit_paths() const { return {known_groups_.load(), read_groups_.load(), known_misses_.load()}; }
  Status Writable() const override;

 private:
  struct Pending {
    AppendRequest request;
    AppendCallback done;
    size_t bytes = 0;
  };
  class Pool;
  struct GroupState;  // the group's transaction: versions, ids, next position

  PostgresEventStore(const PostgresStoreOptions& options, std::unique_ptr<PgConnection> committer,
                     std::unique_ptr<Pool> pool, uint64_t last_position);
  void CommitLoop();
  // The listener thread: notifications, and the periodic catch-up.
  void ListenLoop();
  // Raises LastPosition to position (never lowers it) and, when it rose,
  // runs the commit listeners.
  void Advance(uint64_t position);
  // A notification's payload is "<last position>", or "<last position>
  // <count> <envelope>,<envelope>..." (base64url) when the commit's events
  // fit in notify_events_bytes; this is what follows the position.
  std::string NotifySuffix(const GroupState& g) const;
  // Keeps the events a payload carries (when they are new here) and
  // advances to its last position. A payload it cannot read is ignored.
  void OnNotification(const std::string& payload);
  // Commits one group in one transaction; the results, in group order.
  std::vector<StatusOr<AppendResult>> CommitGroup(std::deque<Pending>& group);
  // The group decided on the stream versions this node knows (its own
  // commits, other nodes' notifications) in ONE round trip, which checks
  // them under the lock. nullopt, nothing written: a version it does not
  // know or that moved, a refusal, a re-send; then CommitOnReadVersions.
  std::optional<std::vector<StatusOr<AppendResult>>> CommitOnKnownVersions(std::deque<Pending>& group);
  // The group decided on the versions and event ids read under the lock:
  // two round trips.
  std::vector<StatusOr<AppendResult>> CommitOnReadVersions(std::deque<Pending>& group);
  // Every append of the group answered s; the store's health is s.
  std::vector<StatusOr<AppendResult>> FailGroup(size_t size, const Status& s);
  static Status UnknownOutcome(const Status& cause);
  // After a commit: health, counters, known versions, the events held, and
  // LastPosition (first_position: the group's first event's).
  void Committed(const GroupState& g, uint64_t first_position);
  // Keeps streams' last versions (as committed) for CommitOnKnownVersions.
  void RememberVersions(const std::unordered_map<std::string, uint64_t>& versions);
  // Decides and writes one append inside the group's transaction.
  // keep_request: leaves p.request intact, to be decided again.
  StatusOr<AppendResult> AppendInTransaction(Pending& p, GroupState& g, bool keep_request);
  // What the group decided to write: its events, key-value writes and
  // snapshots, in a few set-based statements whatever its size, and the
  // notification when it writes events.
  void AppendWriteStatements(GroupState& g, std::vector<PgStatement>& out) const;
  static void AppendKvAndSnapshots(GroupState& g, std::vector<PgStatement>& out);
  // Runs fn on a pooled connection (re-connecting a lost one once).
  template <typename Fn>
  auto WithConnection(Fn fn) -> decltype(fn(std::declval<PgConnection&>()));

  const PostgresStoreOptions options_;
  const Clock& clock_;
  std::unique_ptr<PgConnection> committer_;  // the committer thread's own
  std::unique_ptr<Pool> pool_;
  CommitListeners listeners_;
  RecentEvents recent_;
  std::mutex known_mu_;
  std::unordered_map<std::string, uint64_t> known_versions_;  // stream -> last version, as committed
  std::atomic<uint64_t> known_misses_{0};                     // groups refused on known versions, then read
  std::atomic<uint64_t> known_groups_{0}, read_groups_{0};

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Pending> queue_;
  bool closing_ = false;

  mutable std::mutex health_mu_;
  Status health_;  // the last commit's failure, until one succeeds

  std::string channel_;  // the notification channel: relais_commits:<schema>
  int wake_fd_ = -1;     // an eventfd that stops the listener
  std::thread listener_thread_;
  std::atomic<uint64_t> last_position_;
  std::atomic<uint64_t> appends_{0};
  std::atomic<uint64_t> commit_groups_{0};
  std::thread committer_thread_;
};

}  // namespace relais
