// RocksDbEventStore: the durable EventStore, on RocksDB.
//
// Appends are queued to one committer thread that takes every append waiting
// (up to max_batch_events / max_batch_bytes), checks each against the stream
// versions, assigns versions and global positions, writes the whole group as
// ONE WriteBatch with sync=true (one WAL fsync for many appends: group commit)
// and only then acknowledges. A single committer makes positions gapless and
// visible in order. The on-disk format is specified in docs/storage.md.
//
// Acknowledgements run on a second thread, so the committer starts the next
// group's sync while the previous group's appenders are being woken.
//
// After an I/O error (a full disk, a failed flush) RocksDB refuses writes.
// The store then answers Writable() with the reason, refuses appends at once,
// and recovers by itself: every resume_interval, once the file system reports
// recovery_free_bytes free, the committer closes the database and opens it
// again, as a restart would (RocksDB 7.8's DB::Resume() can wait for good for
// a flush it never schedules: docs/storage.md). An append whose batch failed
// is refused and never acknowledged; if only its sync failed, its bytes may
// have reached the log, and then the reopen finds it stored, as a restart
// would (a re-send of its event ids is answered as deduplicated). Reads wait
// while a reopen runs; if it fails they answer kUnavailable until one succeeds.
//
// Thread-safety: safe for concurrent access from multiple threads without any
// external synchronization. Append callbacks run on the completion thread,
// commit listeners on the committer thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "engine/store/commit_listeners.h"
#include "engine/store/event_store.h"
#include "engine/store/local_leases.h"
#include "engine/store/store_health.h"
#include "engine/store/writer_first_rwlock.h"
#include "engine/util/clock.h"
#include "engine/util/log.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Env;
}  // namespace rocksdb

namespace relais {

struct RocksDbHandles;  // the database and its column families (internal)

struct RocksDbStoreOptions {
  std::string path;                        // the data directory
  size_t max_batch_events = 1024;          // events in one commit group
  size_t max_batch_bytes = 8 << 20;        // encoded bytes in one commit group
  size_t stream_cache_capacity = 100'000;  // streams whose version is kept in memory
  size_t write_buffer_bytes = 64 << 20;    // RocksDB memtable size
  size_t block_cache_bytes = 64 << 20;     // RocksDB block cache
  // Write-ahead log kept before the column families holding its oldest data
  // are flushed: bounds what an open after a crash replays (six column
  // families written at different rates would otherwise keep old logs alive).
  size_t max_total_wal_bytes = 256 << 20;
  // While writes fail after an I/O error, how often the store tries to
  // reopen the database, from the failure on (appends in between are refused
  // at once).
  std::chrono::milliseconds resume_interval{1000};
  // Free space the file system holding the store must report before a
  // reopen is tried: the reopen writes what it replays from the log as table
  // files, and one that fails leaves reads unavailable until the next.
  uint64_t recovery_free_bytes = 64 << 20;
  EventLimits limits;
  const Clock* clock = nullptr;  // nullptr: the system clock; must outlive the store
  rocksdb::Env* env = nullptr;   // nullptr: the default; tests inject faults here
  // Background errors, recoveries and RocksDB's own warnings are logged here
  // (RocksDB writes no LOG file, and nothing of a failed open is logged: see
  // rocksdb_log.h); must outlive the store.
  Logger* info_log = &NullLogger();
};

// A backup of the store (RocksDbEventStore::Backup).
struct StoreBackup {
  uint32_t id = 0;             // its number in the backup directory (1, 2, ...)
  uint64_t last_position = 0;  // every event acknowledged before it began is at or before this position
  uint64_t bytes = 0;          // the backup's files (shared with other backups of the directory)
};

// The store format this build reads and writes (docs/storage.md).
inline constexpr int kStoreFormatVersion = 1;

class RocksDbEventStore final : public EventStore {
 public:
  // Opens the store in options.path, creating it when the directory is absent
  // or empty. Errors: kFailedPrecondition when the directory holds something
  // that is not a Relais store, or a store of another format version (nothing
  // is modified); kUnavailable on I/O errors, one line naming the directory
  // and, for a full disk, saying to free space there (a failed open leaves
  // none of RocksDB's temporary files behind); may return some other Status.
  static StatusOr<std::unique_ptr<RocksDbEventStore>> Open(const RocksDbStoreOptions& options);

  // Finishes queued appends, stops the committer and closes the database.
  ~RocksDbEventStore() override;

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

  // Copies a consistent image of the open store into backup_dir (created if
  // absent) while appends go on: RocksDB's BackupEngine with the write-ahead
  // log copied beside the table files, so the image is one instant across
  // the column families and holds every event acknowledged before the call.
  // Backups in one directory share their common files. Restore with
  // RestoreStore (rocksdb_backup.h). Errors: kUnavailable (I/O, no database
  // open), one line naming the directory.
  StatusOr<StoreBackup> Backup(const std::string& backup_dir);
  // kUnavailable from an I/O error until a reopen succeeds; the message says
  // what failed, in which directory, and what to do.
  Status Writable() const override { return health_->Writable(); }

 private:
  struct Pending;
  struct GroupBatch;
  class DbHold;
  struct Completion {
    AppendCallback done;
    StatusOr<AppendResult> result;
  };

  RocksDbEventStore(const RocksDbStoreOptions& options, std::unique_ptr<RocksDbHandles> handles,
                    std::shared_ptr<StoreHealth> health, uint64_t last_position);
  void CommitLoop();
  void CompleteLoop();

  // The committer's steps, in order (after LevelDB's Write/BuildBatchGroup).
  // Waits for appends and takes the next group; false once closing and empty.
  bool TakeGroup(std::deque<Pending>& group);
  // Decides, writes and acknowledges one group.
  void CommitGroupOf(std::deque<Pending>& group);
  // Decides every append of the group and builds its one WriteBatch.
  void BuildGroupBatch(std::deque<Pending>& group, GroupBatch& batch);
  // Decides one append against the versions and ids so far; adds it to the
  // batch when it writes something.
  void DecideAppendInGroup(Pending& p, GroupBatch& batch, size_t index);
  // The stream's version as of the group so far (batch, cache, then disk).
  StatusOr<uint64_t> CurrentVersion(const std::string& stream_id, const GroupBatch& batch);
  // Where an event id is, in the group so far or on disk.
  StatusOr<std::optional<EventLocation>> FindEventId(const std::string& event_id, const GroupBatch& batch,
                                                     bool& in_batch);
  // Adds an accepted append's events, index entries, snapshot and side
  // writes to the batch; returns its result.
  AppendResult AddToBatch(Pending& p, uint64_t current, GroupBatch& batch);
  // Writes the batch with one sync. On success publishes positions and
  // versions and returns true; on failure fails every append that needed
  // the batch and marks the store failed.
  bool WriteGroupBatch(GroupBatch& batch);
  // Answers the group's appenders, in commit order.
  void Acknowledge(std::deque<Pending>& group, std::vector<StatusOr<AppendResult>> results);

  // While the store is failed, reopens the database, at most once per
  // resume_interval (counted from the last failure or try) and only with
  // recovery_free_bytes free. Returns whether writes can be tried now.
  bool TryRecover();
  // OK when the file system holding the store has room for a reopen.
  Status RoomToReopen() const;
  // Closes and opens the database (exclusive hold of db_mu_), then takes the
  // last position from the reopened log.
  Status Reopen();
  // Adopts the reopened log's last position (committer only).
  Status AdoptReopenedLog(uint64_t last_on_disk);

  // A shared hold of the open database for one read; kUnavailable while a
  // failed reopen left none open.
  StatusOr<DbHold> HoldDb() const;

  const RocksDbStoreOptions options_;
  const Clock& clock_;
  // Replaced only by the committer (Reopen), under an exclusive hold; every
  // other thread reads through HoldDb(). Null after a failed reopen.
  mutable WriterFirstRwLock db_mu_;
  std::unique_ptr<RocksDbHandles> db_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Pending> queue_;
  bool closing_ = false;

  // Also held by the RocksDB listener that records background errors.
  std::shared_ptr<StoreHealth> health_;

  // Owned by the committer thread.
  std::unordered_map<std::string, uint64_t> stream_versions_;
  uint64_t next_position_;
  std::chrono::steady_clock::time_point last_reopen_{};  // the last reopen try
  std::string last_reopen_error_;                        // why it failed, if it did

  std::atomic<uint64_t> last_position_;
  std::atomic<uint64_t> appends_{0};
  std::atomic<uint64_t> commit_groups_{0};
  // Acknowledgements waiting for the completion thread.
  std::mutex done_mu_;
  std::condition_variable done_cv_;
  std::deque<Completion> done_;
  bool completing_ = false;  // the completion thread is running callbacks
  bool done_closing_ = false;

  std::mutex snapshot_mu_;
  CommitListeners listeners_;
  LocalLeases leases_;  // one process per store: in memory (event_store.h)
  std::thread completer_;
  std::thread committer_;
};

}  // namespace relais
