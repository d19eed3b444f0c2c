#include "engine/store/rocksdb_event_store.h"

#include <unistd.h>

#include <filesystem>
#include <set>
#include <shared_mutex>
#include <system_error>

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/listener.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/backup_engine.h>
#include <rocksdb/utilities/options_util.h>
#include <rocksdb/write_batch.h>

#include "engine/store/append_rules.h"
#include "engine/store/codec.h"
#include "engine/store/rocksdb_log.h"
#include "engine/util/thread_name.h"

namespace relais {
namespace fs = std::filesystem;

namespace {

// Column families (docs/storage.md). "default" holds the store's metadata.
constexpr const char* kLogCf = "log";              // position -> envelope
constexpr const char* kStreamsCf = "streams";      // stream '\0' version -> position
constexpr const char* kEventIdsCf = "event_ids";   // event id -> location
constexpr const char* kSnapshotsCf = "snapshots";  // stream -> latest snapshot
constexpr const char* kKvCf = "kv";                // side key-value space
constexpr const char* kFormatKey = "relais.store.format";
constexpr const char* kCreatedAtKey = "relais.store.created_at";

const std::vector<std::string>& RelaisColumnFamilies() {
  static const std::vector<std::string> names = {
      rocksdb::kDefaultColumnFamilyName, kLogCf, kStreamsCf, kEventIdsCf, kSnapshotsCf, kKvCf};
  return names;
}

Status FromRocks(const rocksdb::Status& s, std::string_view context) {
  if (s.ok()) return Status::Ok();
  std::string msg = std::string(context) + ": " + s.ToString();
  if (s.IsCorruption()) return Corruption(msg);
  if (s.IsNotFound()) return NotFound(msg);
  if (s.IsIOError() || s.IsBusy() || s.IsTimedOut() || s.IsTryAgain() || s.IsAborted() || s.IsIncomplete())
    return Unavailable(msg);
  if (s.IsInvalidArgument() || s.IsNotSupported()) return FailedPrecondition(msg);
  return Unavailable(msg);
}

// A full disk (ENOSPC); RocksDB does not give every such error the NoSpace
// subcode, hence the message check as well.
bool IsNoSpace(const rocksdb::Status& s) {
  return s.IsNoSpace() || s.ToString().find("No space left on device") != std::string::npos;
}

Logger& LogOf(const RocksDbStoreOptions& o) { return o.info_log ? *o.info_log : NullLogger(); }

std::string_view ReasonName(rocksdb::BackgroundErrorReason reason) {
  switch (reason) {
    case rocksdb::BackgroundErrorReason::kFlush: return "flush";
    case rocksdb::BackgroundErrorReason::kCompaction: return "compaction";
    case rocksdb::BackgroundErrorReason::kWriteCallback: return "write";
    case rocksdb::BackgroundErrorReason::kMemTable: return "memtable";
    case rocksdb::BackgroundErrorReason::kManifestWrite: return "manifest write";
    case rocksdb::BackgroundErrorReason::kFlushNoWAL: return "flush";
    case rocksdb::BackgroundErrorReason::kManifestWriteNoWAL: return "manifest write";
  }
  return "background job";
}

// What the store does after a write failure, and what to do about it.
std::string RecoveryAdvice(const RocksDbStoreOptions& o, bool no_space) {
  const std::string every = "it reopens itself every " + std::to_string(o.resume_interval.count()) + " ms once " +
                            std::to_string(o.recovery_free_bytes) + " bytes are free";
  return no_space ? every + ": free disk space on the file system holding it" : every + ": check the disk holding it";
}

// Records that the store's writes fail because of `cause` (what, where, what
// to do), and logs the first failure of a run as a warning.
void RecordWriteFailure(StoreHealth& health, Logger& log, const RocksDbStoreOptions& o, const rocksdb::Status& cause,
                        std::string_view during) {
  Status reason = Unavailable("the store in " + o.path + " cannot write (" + std::string(during) +
                              " failed: " + cause.ToString() + "); " + RecoveryAdvice(o, IsNoSpace(cause)));
  if (health.MarkFailed(reason))
    log.Warn("store writes failing", {{"path", o.path}, {"during", std::string(during)}, {"cause", cause.ToString()}});
}

// Hears RocksDB's background errors (a failed WAL write, flush or
// compaction): records them in the store's health, and turns RocksDB's own
// automatic recovery off so that the committer's reopen is the one recovery
// (RocksDB's recovery ends in the same DB::Resume() steps that can wait for
// good, and a recovery in progress would make closing wait for it). Logs
// nothing before the open succeeded. Runs on RocksDB's threads, the DB mutex
// released.
class BackgroundErrorListener final : public rocksdb::EventListener {
 public:
  BackgroundErrorListener(std::shared_ptr<StoreHealth> health, std::shared_ptr<RocksDbLogForwarder> rocksdb_log,
                          const RocksDbStoreOptions& o)
      : health_(std::move(health)), rocksdb_log_(std::move(rocksdb_log)), options_(o) {}
  const char* Name() const override { return "RelaisBackgroundErrorListener"; }

  void OnBackgroundError(rocksdb::BackgroundErrorReason reason, rocksdb::Status* error) override {
    if (error == nullptr || error->ok()) return;
    Logger& log = rocksdb_log_->forwarding() ? LogOf(options_) : NullLogger();
    RecordWriteFailure(*health_, log, options_, *error, ReasonName(reason));
  }
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status error, bool* auto_recovery) override {
    error.PermitUncheckedError();
    *auto_recovery = false;
  }

 private:
  std::shared_ptr<StoreHealth> health_;
  std::shared_ptr<RocksDbLogForwarder> rocksdb_log_;  // forwarding once the open succeeded
  RocksDbStoreOptions options_;
};

}  // namespace

struct RocksDbHandles {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> cfs;  // in RelaisColumnFamilies() order
  // False once writes failed: a stopped database flushes nothing, and the
  // attempt would only start a new log file.
  bool flush_on_close = true;
  rocksdb::ColumnFamilyHandle* meta() const { return cfs[0]; }
  rocksdb::ColumnFamilyHandle* log() const { return cfs[1]; }
  rocksdb::ColumnFamilyHandle* streams() const { return cfs[2]; }
  rocksdb::ColumnFamilyHandle* event_ids() const { return cfs[3]; }
  rocksdb::ColumnFamilyHandle* snapshots() const { return cfs[4]; }
  rocksdb::ColumnFamilyHandle* kv() const { return cfs[5]; }

  ~RocksDbHandles() {
    if (!db) return;
    // Memtables to table files on a clean close, so the next open replays no
    // log (read-only opens answer NotSupported: nothing to flush).
    if (flush_on_close) db->Flush(rocksdb::FlushOptions(), cfs).PermitUncheckedError();
    for (auto* cf : cfs) db->DestroyColumnFamilyHandle(cf);
    db->Close().PermitUncheckedError();
  }
};

// A reader's shared hold of the open database: a reopen waits until every
// hold is released.
class RocksDbEventStore::DbHold {
 public:
  DbHold(std::shared_lock<WriterFirstRwLock> lock, const RocksDbHandles& db) : lock_(std::move(lock)), db_(&db) {}
  const RocksDbHandles& operator*() const { return *db_; }

 private:
  std::shared_lock<WriterFirstRwLock> lock_;
  const RocksDbHandles* db_;
};

struct RocksDbEventStore::Pending {
  AppendRequest request;
  TimePoint recorded_at;
  std::vector<std::string> envelopes;
  size_t bytes = 0;
  AppendCallback done;
};

namespace {

struct OpenedDb {
  rocksdb::Options options;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  std::shared_ptr<RocksDbLogForwarder> log;  // options.info_log: started once the open succeeded
};

// health: where the opened store records background errors (nullptr for
// the short opens that create or check a store, whose RocksDB records are
// never forwarded).
OpenedDb MakeOptions(const RocksDbStoreOptions& o, std::shared_ptr<StoreHealth> health = nullptr) {
  OpenedDb out;
  rocksdb::Options& options = out.options;
  if (o.env) options.env = o.env;
  out.log = MakeRocksDbLogger(LogOf(o));
  options.info_log = out.log;
  if (health) {
    options.listeners.push_back(std::make_shared<BackgroundErrorListener>(std::move(health), out.log, o));
    options.max_bgerror_resume_count = 0;  // the committer reopens (see BackgroundErrorListener)
  }
  options.max_background_jobs = 2;
  options.keep_log_file_num = 5;
  options.max_total_wal_size = o.max_total_wal_bytes;
  options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(o.block_cache_bytes);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  auto table_factory = std::shared_ptr<rocksdb::TableFactory>(rocksdb::NewBlockBasedTableFactory(table));
  for (const std::string& name : RelaisColumnFamilies()) {
    rocksdb::ColumnFamilyOptions cf;
    cf.write_buffer_size = o.write_buffer_bytes;
    cf.table_factory = table_factory;
    cf.compression = rocksdb::kLZ4Compression;
    if (name == kEventIdsCf) {
      // Idempotency looks up every new event id, and new ids are absent: a
      // memtable bloom filter answers "absent" without walking the skiplist.
      cf.memtable_prefix_bloom_size_ratio = 0.05;
      cf.memtable_whole_key_filtering = true;
    }
    out.descriptors.emplace_back(name, cf);
  }
  return out;
}

bool DirectoryIsAbsentOrEmpty(const fs::path& path, std::error_code& ec) {
  if (!fs::exists(path, ec)) return true;
  return fs::is_directory(path, ec) && fs::is_empty(path, ec);
}

Status NotARelaisStore(const std::string& path, const std::string& why) {
  return FailedPrecondition("'" + path + "' is not a Relais store (" + why +
                            "); nothing was changed. Point data_dir at an empty or new directory.");
}

// An open that failed, in one line: what, where, and for a full disk what
// to do (the most likely cause of a failing open of a healthy store).
Status OpenError(const rocksdb::Status& s, const std::string& path, std::string_view doing) {
  if (!IsNoSpace(s)) return FromRocks(s, std::string(doing) + " " + path);
  std::error_code ec;
  fs::path where = fs::path(path).parent_path();  // exists even when path does not yet
  if (where.empty()) where = ".";
  const fs::space_info space = fs::space(where, ec);
  const std::string free = ec ? "" : " (" + std::to_string(space.available) + " bytes free)";
  return Unavailable(std::string(doing) + " " + path + " failed: the disk is full" + free + ": " + s.ToString() +
                     "; free space on the file system holding it, then start Relais again");
}

// RocksDB's temporary files (OPTIONS-*.dbtmp, the new CURRENT's *.dbtmp) in
// dir: written then renamed, never referenced, so the ones a failed open
// left behind can be removed.
std::set<std::string> TempFilesIn(const fs::path& dir) {
  std::set<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.path().extension() == ".dbtmp") out.insert(entry.path().string());
  return out;
}

void RemoveTempFilesNotIn(const fs::path& dir, const std::set<std::string>& before) {
  std::error_code ec;
  for (const std::string& file : TempFilesIn(dir))
    if (!before.count(file)) fs::remove(file, ec);
}

// Creates a new store in `staging` (see CreateStore).
Status CreateStoreIn(const RocksDbStoreOptions& o, const fs::path& staging, const TimePoint now) {
  OpenedDb spec = MakeOptions(o);
  spec.options.create_if_missing = true;
  spec.options.create_missing_column_families = true;
  spec.options.error_if_exists = true;
  {
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(spec.options, staging.string(), spec.descriptors, &handles, &raw);
    if (!s.ok()) return OpenError(s, o.path, "creating the store in");
    RocksDbHandles h;
    h.db.reset(raw);
    h.cfs = handles;
    rocksdb::WriteBatch batch;
    batch.Put(h.meta(), kFormatKey, std::to_string(kStoreFormatVersion)).PermitUncheckedError();
    batch.Put(h.meta(), kCreatedAtKey, std::to_string(ToMicros(now))).PermitUncheckedError();
    rocksdb::WriteOptions wo;
    wo.sync = true;
    rocksdb::Status s2 = h.db->Write(wo, &batch);
    if (!s2.ok()) return OpenError(s2, o.path, "writing the metadata of the new store in");
  }
  return Status::Ok();
}

// Creates a new store beside `path` and renames it into place, so a crash
// mid-creation never leaves a half-made store at `path`; a failed creation
// leaves nothing of it.
Status CreateStore(const RocksDbStoreOptions& o, const TimePoint now) {
  fs::path target(o.path);
  fs::path staging = target.string() + ".creating-" + std::to_string(::getpid());
  std::error_code ec;
  fs::remove_all(staging, ec);
  // Made first: RocksDB logs an error when the directory it creates is absent.
  fs::create_directories(staging, ec);
  if (Status created = CreateStoreIn(o, staging, now); !created.ok()) {
    fs::remove_all(staging, ec);
    return created;
  }
  if (fs::exists(target, ec)) fs::remove(target, ec);  // an empty directory
  fs::rename(staging, target, ec);
  if (ec) return Unavailable("moving new store into " + target.string() + ": " + ec.message());
  return Status::Ok();
}

// Checks, without writing anything, that `path` holds a Relais store this
// build can read.
Status CheckExistingStore(const RocksDbStoreOptions& o) {
  std::error_code ec;
  if (!fs::is_directory(o.path, ec)) return NotARelaisStore(o.path, "it is not a directory");
  if (!fs::exists(fs::path(o.path) / "CURRENT", ec))
    return NotARelaisStore(o.path, "the directory is not empty and holds no RocksDB database");
  OpenedDb spec = MakeOptions(o);
  std::vector<std::string> names;
  rocksdb::Status s = rocksdb::DB::ListColumnFamilies(spec.options, o.path, &names);
  if (!s.ok()) return NotARelaisStore(o.path, "its RocksDB metadata cannot be read: " + s.ToString());
  for (const std::string& want : RelaisColumnFamilies())
    if (std::find(names.begin(), names.end(), want) == names.end())
      return NotARelaisStore(o.path, "it lacks the column family '" + want + "'");
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  s = rocksdb::DB::OpenForReadOnly(spec.options, o.path, spec.descriptors, &handles, &raw);
  if (!s.ok()) return FromRocks(s, "opening " + o.path + " read-only to check its format");
  RocksDbHandles h;
  h.db.reset(raw);
  h.cfs = handles;
  std::string format;
  s = h.db->Get(rocksdb::ReadOptions(), h.meta(), kFormatKey, &format);
  if (s.IsNotFound()) return NotARelaisStore(o.path, "it has no Relais format marker");
  if (!s.ok()) return FromRocks(s, "reading the store format of " + o.path);
  if (format != std::to_string(kStoreFormatVersion))
    return FailedPrecondition("'" + o.path + "' holds a Relais store of format version " + format +
                              "; this build reads format version " + std::to_string(kStoreFormatVersion) +
                              ". Nothing was changed.");
  return Status::Ok();
}

// Opens the store's database for reading and writing, its background errors
// recorded in health; RocksDB's records are forwarded from the moment the
// open has succeeded. A failed open leaves none of its temporary files.
rocksdb::Status OpenDatabase(const RocksDbStoreOptions& o, std::shared_ptr<StoreHealth> health,
                             std::unique_ptr<RocksDbHandles>& out) {
  OpenedDb spec = MakeOptions(o, std::move(health));
  auto handles = std::make_unique<RocksDbHandles>();
  rocksdb::DB* raw = nullptr;
  const std::set<std::string> temp_before = TempFilesIn(o.path);
  rocksdb::Status s = rocksdb::DB::Open(spec.options, o.path, spec.descriptors, &handles->cfs, &raw);
  if (!s.ok()) {
    RemoveTempFilesNotIn(o.path, temp_before);
    return s;
  }
  handles->db.reset(raw);
  spec.log->StartForwarding();
  out = std::move(handles);
  return s;
}

// The last global position in the log (0 when it is empty).
StatusOr<uint64_t> ReadLastPosition(const RocksDbHandles& db) {
  std::unique_ptr<rocksdb::Iterator> it(db.db->NewIterator(rocksdb::ReadOptions(), db.log()));
  it->SeekToLast();
  const uint64_t last = it->Valid() ? codec::DecodeU64Key(it->key().ToStringView()) : 0;
  RELAIS_RETURN_IF_ERROR(FromRocks(it->status(), "finding the last position"));
  return last;
}

// Reads of one open database, for the committer (which alone replaces it)
// and for readers holding it.
StatusOr<uint64_t> StreamVersionIn(const RocksDbHandles& db, const std::string& stream_id) {
  std::string prefix = codec::StreamPrefix(stream_id);
  std::unique_ptr<rocksdb::Iterator> it(db.db->NewIterator(rocksdb::ReadOptions(), db.streams()));
  it->SeekForPrev(codec::StreamKey(stream_id, UINT64_MAX));
  RELAIS_RETURN_IF_ERROR(FromRocks(it->status(), "reading the version of stream '" + stream_id + "'"));
  if (!it->Valid() || !it->key().starts_with(prefix)) return uint64_t{0};
  return codec::DecodeU64Key(it->key().ToStringView().substr(prefix.size()));
}

StatusOr<std::optional<EventLocation>> EventLocationIn(const RocksDbHandles& db, const std::string& event_id) {
  std::string value;
  rocksdb::Status s = db.db->Get(rocksdb::ReadOptions(), db.event_ids(), event_id, &value);
  if (s.IsNotFound()) return std::optional<EventLocation>();
  RELAIS_RETURN_IF_ERROR(FromRocks(s, "looking up event id " + event_id));
  RELAIS_ASSIGN_OR_RETURN(EventLocation loc, codec::DecodeLocation(value));
  return std::optional<EventLocation>(std::move(loc));
}

StatusOr<std::optional<Snapshot>> SnapshotIn(const RocksDbHandles& db, const std::string& stream_id) {
  std::string value;
  rocksdb::Status s = db.db->Get(rocksdb::ReadOptions(), db.snapshots(), stream_id, &value);
  if (s.IsNotFound()) return std::optional<Snapshot>();
  RELAIS_RETURN_IF_ERROR(FromRocks(s, "loading snapshot of '" + stream_id + "'"));
  RELAIS_ASSIGN_OR_RETURN(Snapshot snap, codec::DecodeSnapshot(value));
  return std::optional<Snapshot>(std::move(snap));
}

}  // namespace

StatusOr<std::unique_ptr<RocksDbEventStore>> RocksDbEventStore::Open(const RocksDbStoreOptions& options) {
  if (options.path.empty()) return InvalidArgument("the store path is empty");
  const Clock& clock = options.clock ? *options.clock : SystemClock::Instance();
  std::error_code ec;
  if (DirectoryIsAbsentOrEmpty(options.path, ec)) {
    RELAIS_RETURN_IF_ERROR(CreateStore(options, clock.Now()));
  } else {
    RELAIS_RETURN_IF_ERROR(CheckExistingStore(options));
  }
  auto health = std::make_shared<StoreHealth>();
  std::unique_ptr<RocksDbHandles> handles;
  rocksdb::Status s = OpenDatabase(options, health, handles);
  if (!s.ok()) return OpenError(s, options.path, "opening the store in");
  RELAIS_ASSIGN_OR_RETURN(uint64_t last_position, ReadLastPosition(*handles));
  return std::unique_ptr<RocksDbEventStore>(
      new RocksDbEventStore(options, std::move(handles), std::move(health), last_position));
}

RocksDbEventStore::RocksDbEventStore(const RocksDbStoreOptions& options, std::unique_ptr<RocksDbHandles> handles,
                                     std::shared_ptr<StoreHealth> health, uint64_t last_position)
    : options_(options),
      clock_(options.clock ? *options.clock : SystemClock::Instance()),
      db_(std::move(handles)),
      health_(std::move(health)),
      next_position_(last_position + 1),
      last_position_(last_position) {
  completer_ = std::thread([this] {
    SetThreadName("rocks-complete");
    CompleteLoop();
  });
  committer_ = std::thread([this] {
    SetThreadName("rocks-commit");
    CommitLoop();
  });
}

RocksDbEventStore::~RocksDbEventStore() {
  {
    std::lock_guard lock(queue_mu_);
    closing_ = true;
  }
  queue_cv_.notify_all();
  committer_.join();
  {
    std::lock_guard lock(done_mu_);
    done_closing_ = true;
  }
  done_cv_.notify_all();
  completer_.join();
  if (db_) db_->flush_on_close = !health_->failed();
}

void RocksDbEventStore::CompleteLoop() {
  std::deque<Completion> batch;
  while (true) {
    {
      std::unique_lock lock(done_mu_);
      done_cv_.wait(lock, [&] { return !done_.empty() || done_closing_; });
      if (done_.empty()) return;
      batch.swap(done_);
      completing_ = true;
    }
    for (Completion& c : batch) c.done(std::move(c.result));
    batch.clear();
    std::lock_guard lock(done_mu_);
    completing_ = false;
  }
}

void RocksDbEventStore::AppendAsync(AppendRequest request, AppendCallback done) {
  Status valid = ValidateAppendRequest(request, options_.limits);
  if (!valid.ok()) return done(valid);
  Pending p;
  TimePoint now = request.recorded_at.value_or(clock_.Now());
  p.envelopes.reserve(request.events.size());
  for (const NewEvent& e : request.events) {
    p.envelopes.push_back(codec::EncodeEvent(e, request.stream_id, now, e.DataText()));
    Status size = CheckEventSize(e, p.envelopes.back().size(), options_.limits);
    if (!size.ok()) return done(size);
    p.bytes += p.envelopes.back().size();
  }
  p.request = std::move(request);
  p.recorded_at = now;
  p.done = std::move(done);
  {
    std::unique_lock lock(queue_mu_);
    if (closing_) {
      lock.unlock();
      return p.done(Unavailable("the store is closing"));
    }
    queue_.push_back(std::move(p));
  }
  queue_cv_.notify_one();
}

void RocksDbEventStore::CommitLoop() {
  std::deque<Pending> group;
  while (TakeGroup(group)) {
    CommitGroupOf(group);
    group.clear();
  }
}

bool RocksDbEventStore::TakeGroup(std::deque<Pending>& group) {
  std::unique_lock lock(queue_mu_);
  while (queue_.empty() && !closing_) {
    // Waits at most resume_interval, so that a store failed by an I/O error
    // (here or in a background flush) recovers without waiting for an append.
    queue_cv_.wait_for(lock, options_.resume_interval);
    if (queue_.empty() && !closing_ && health_->failed()) {
      lock.unlock();
      TryRecover();
      lock.lock();
    }
  }
  if (queue_.empty()) return false;  // closing, and every queued append is answered
  size_t events = 0, bytes = 0;
  while (!queue_.empty()) {
    Pending& next = queue_.front();
    size_t n = next.request.events.size();
    if (!group.empty() && (events + n > options_.max_batch_events || bytes + next.bytes > options_.max_batch_bytes))
      break;
    events += n;
    bytes += next.bytes;
    group.push_back(std::move(next));
    queue_.pop_front();
  }
  return true;
}

// One group under construction: each append's outcome, what the group has
// written so far (versions, event ids, positions) and the batch itself.
struct RocksDbEventStore::GroupBatch {
  struct Outcome {
    StatusOr<AppendResult> result = Status(Internal("undecided"));
    bool needs_batch = false;  // true: only valid if this group's batch commits
  };
  std::vector<Outcome> outcomes;
  std::unordered_map<std::string, uint64_t> versions;  // stream -> its version after this group
  std::unordered_map<std::string, EventLocation> ids;  // event ids this group writes
  rocksdb::WriteBatch batch;
  uint64_t next_position = 0;
  uint64_t written = 0;  // appends that write something
};

void RocksDbEventStore::CommitGroupOf(std::deque<Pending>& group) {
  if (!TryRecover()) {
    std::vector<StatusOr<AppendResult>> refused(group.size(), health_->Writable());
    return Acknowledge(group, std::move(refused));
  }
  GroupBatch batch;
  BuildGroupBatch(group, batch);
  // Subscribers first, so an acknowledged append has always been announced.
  if (WriteGroupBatch(batch)) listeners_.Notify(last_position_.load(std::memory_order_acquire));
  std::vector<StatusOr<AppendResult>> results;
  results.reserve(group.size());
  for (auto& out : batch.outcomes) results.push_back(std::move(out.result));
  Acknowledge(group, std::move(results));
}

void RocksDbEventStore::BuildGroupBatch(std::deque<Pending>& group, GroupBatch& batch) {
  batch.outcomes.resize(group.size());
  batch.next_position = next_position_;
  for (size_t g = 0; g < group.size(); ++g) DecideAppendInGroup(group[g], batch, g);
}

void RocksDbEventStore::DecideAppendInGroup(Pending& p, GroupBatch& batch, size_t index) {
  GroupBatch::Outcome& out = batch.outcomes[index];
  auto current = CurrentVersion(p.request.stream_id, batch);
  if (!current.ok()) {
    out.result = current.status();
    return;
  }
  bool saw_pending = false;
  auto decision =
      DecideAppend(p.request, *current, [&](const std::string& id) { return FindEventId(id, batch, saw_pending); });
  if (!decision.ok()) {
    out.result = decision.status();
    return;
  }
  if (decision->has_value()) {  // a deduplicated re-send: valid only if what it repeats commits
    out.result = **decision;
    out.needs_batch = saw_pending;
    return;
  }
  out.result = AddToBatch(p, *current, batch);
  out.needs_batch = true;
}

StatusOr<uint64_t> RocksDbEventStore::CurrentVersion(const std::string& stream_id, const GroupBatch& batch) {
  if (auto it = batch.versions.find(stream_id); it != batch.versions.end()) return it->second;
  if (auto it = stream_versions_.find(stream_id); it != stream_versions_.end()) return it->second;
  return StreamVersionIn(*db_, stream_id);
}

StatusOr<std::optional<EventLocation>> RocksDbEventStore::FindEventId(const std::string& event_id,
                                                                      const GroupBatch& batch, bool& in_batch) {
  if (auto it = batch.ids.find(event_id); it != batch.ids.end()) {
    in_batch = true;
    return std::optional<EventLocation>(it->second);
  }
  return EventLocationIn(*db_, event_id);
}

AppendResult RocksDbEventStore::AddToBatch(Pending& p, uint64_t current, GroupBatch& batch) {
  AppendRequest& req = p.request;
  rocksdb::WriteBatch& wb = batch.batch;
  AppendResult r;
  r.first_version = current + 1;
  r.first_position = batch.next_position;
  r.recorded_at = p.recorded_at;
  for (size_t i = 0; i < req.events.size(); ++i) {
    const uint64_t version = current + 1 + i;
    const uint64_t position = batch.next_position++;
    std::string pos_key = codec::EncodeU64Key(position);
    codec::PatchVersion(p.envelopes[i], version);
    wb.Put(db_->log(), pos_key, p.envelopes[i]).PermitUncheckedError();
    wb.Put(db_->streams(), codec::StreamKey(req.stream_id, version), pos_key).PermitUncheckedError();
    EventLocation loc{req.stream_id, version, position};
    wb.Put(db_->event_ids(), req.events[i].event_id, codec::EncodeLocation(loc)).PermitUncheckedError();
    batch.ids[req.events[i].event_id] = std::move(loc);
  }
  r.last_version = current + req.events.size();
  r.last_position = batch.next_position - 1;
  if (req.snapshot)
    wb.Put(db_->snapshots(), req.stream_id, codec::EncodeSnapshot(*req.snapshot)).PermitUncheckedError();
  KvWrites side = std::move(req.side_writes);
  if (req.attach) req.attach(r, side);
  for (const auto& op : side.ops) {
    if (op.value)
      wb.Put(db_->kv(), op.key, *op.value).PermitUncheckedError();
    else
      wb.Delete(db_->kv(), op.key).PermitUncheckedError();
  }
  batch.versions[req.stream_id] = r.last_version;
  ++batch.written;
  return r;
}

bool RocksDbEventStore::WriteGroupBatch(GroupBatch& batch) {
  if (batch.batch.Count() == 0) return false;
  rocksdb::WriteOptions wo;
  wo.sync = true;
  rocksdb::Status s = db_->db->Write(wo, &batch.batch);
  if (!s.ok()) {
    // RocksDB's listener has usually recorded it already; a write error it
    // did not turn into a background error must fail the store all the same.
    RecordWriteFailure(*health_, LogOf(options_), options_, s, "append");
    Status err = FromRocks(s, "append not stored");
    for (auto& out : batch.outcomes)
      if (out.needs_batch) out.result = err;
    return false;
  }
  if (stream_versions_.size() + batch.versions.size() > options_.stream_cache_capacity)
    stream_versions_.clear();  // cheap bound; versions reload from the index on demand
  for (auto& [stream, version] : batch.versions) stream_versions_[stream] = version;
  next_position_ = batch.next_position;
  last_position_.store(batch.next_position - 1, std::memory_order_release);
  appends_.fetch_add(batch.written, std::memory_order_relaxed);
  commit_groups_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void RocksDbEventStore::Acknowledge(std::deque<Pending>& group, std::vector<StatusOr<AppendResult>> results) {
  // On the completion thread, so the next group's sync starts now; a lone
  // append with nothing pending there is answered directly (one hop less),
  // which keeps acknowledgements in commit order either way.
  std::unique_lock lock(done_mu_);
  if (group.size() == 1 && done_.empty() && !completing_) {
    lock.unlock();
    group[0].done(std::move(results[0]));
    return;
  }
  for (size_t g = 0; g < group.size(); ++g) done_.push_back({std::move(group[g].done), std::move(results[g])});
  lock.unlock();
  done_cv_.notify_one();
}

bool RocksDbEventStore::TryRecover() {
  if (!health_->failed()) return true;
  // One interval after the failure or the last try, whichever is later: a
  // reopen at once would find the disk as full as the write did.
  const auto now = std::chrono::steady_clock::now();
  if (now - std::max(last_reopen_, health_->last_failure()) < options_.resume_interval) return false;
  last_reopen_ = now;
  Status reopened = RoomToReopen();
  if (reopened.ok()) reopened = Reopen();
  if (!reopened.ok()) {
    const std::string cause(reopened.message());
    if (cause != last_reopen_error_) {  // once per cause, not once per attempt
      Logger& log = LogOf(options_);
      if (reopened.code() == StatusCode::kCorruption)
        log.Error("store reopen failed", {{"path", options_.path}, {"cause", cause}});
      else
        log.Debug("store reopen failed", {{"path", options_.path}, {"cause", cause}});
    }
    last_reopen_error_ = cause;
    return false;
  }
  last_reopen_error_.clear();
  return db_ != nullptr && !health_->failed();
}

Status RocksDbEventStore::RoomToReopen() const {
  std::error_code ec;
  const fs::space_info space = fs::space(options_.path, ec);
  if (ec || space.available >= options_.recovery_free_bytes) return Status::Ok();  // unknown: try
  return Unavailable("less than " + std::to_string(options_.recovery_free_bytes) +
                     " bytes free on the file system holding " + options_.path);
}

// A reopen, not DB::Resume(): RocksDB 7.8's Resume() flushes every column
// family and waits for each flush, and a flush request that a background
// thread left queued while writes were stopped is never scheduled again, so
// the wait never ends (docs/storage.md). Closing drops that queue; opening
// replays the log up to its last whole record and writes the replayed
// memtables as table files, as a restart does.
Status RocksDbEventStore::Reopen() {
  Logger& log = LogOf(options_);
  std::unique_lock exclusive(db_mu_);  // reads in flight finish first; later ones wait
  if (db_) {
    db_->flush_on_close = false;
    db_.reset();
  }
  // Failures the closed database reported are not the reopened one's.
  const uint64_t seen = health_->generation();
  rocksdb::Status opened = OpenDatabase(options_, health_, db_);
  if (!opened.ok()) {
    RecordWriteFailure(*health_, log, options_, opened, "reopen");
    return FromRocks(opened, "reopening the store in " + options_.path);
  }
  const uint64_t acknowledged = last_position_.load(std::memory_order_acquire);
  auto last = ReadLastPosition(*db_);
  Status adopted = last.ok() ? AdoptReopenedLog(*last) : last.status();
  exclusive.unlock();
  if (!adopted.ok()) {
    health_->MarkFailed(Unavailable("the store in " + options_.path + " cannot write (reopen failed: " +
                                    std::string(adopted.message()) + "); " + RecoveryAdvice(options_, false)));
    return adopted;
  }
  if (health_->MarkRecoveredIf(seen)) log.Info("store writable again", {{"path", options_.path}});
  if (*last > acknowledged) {
    log.Warn("store found refused appends stored", {{"path", options_.path},
                                                    {"from_position", std::to_string(acknowledged + 1)},
                                                    {"to_position", std::to_string(*last)}});
    listeners_.Notify(*last);
  }
  return Status::Ok();
}

Status RocksDbEventStore::AdoptReopenedLog(uint64_t last_on_disk) {
  const uint64_t acknowledged = last_position_.load(std::memory_order_acquire);
  // Every acknowledged append was synced: a shorter log lost some of them.
  if (last_on_disk < acknowledged)
    return Corruption("the reopened log of " + options_.path + " ends at position " + std::to_string(last_on_disk) +
                      " but appends up to position " + std::to_string(acknowledged) + " were acknowledged");
  // Beyond them: appends refused because their sync failed, whose bytes
  // reached the log all the same. They are stored now, as after a restart.
  next_position_ = last_on_disk + 1;
  last_position_.store(last_on_disk, std::memory_order_release);
  stream_versions_.clear();
  return Status::Ok();
}

StatusOr<StoreBackup> RocksDbEventStore::Backup(const std::string& backup_dir) {
  StoreBackup out;
  // Read before the backup starts: every event acknowledged so far is in it.
  out.last_position = LastPosition();
  RELAIS_ASSIGN_OR_RETURN(DbHold hold, HoldDb());
  rocksdb::BackupEngine* raw = nullptr;
  rocksdb::BackupEngineOptions engine_options(backup_dir);
  engine_options.sync = true;
  rocksdb::IOStatus opened = rocksdb::BackupEngine::Open(engine_options, rocksdb::Env::Default(), &raw);
  if (!opened.ok()) return Unavailable("cannot open the backup directory " + backup_dir + ": " + opened.ToString());
  std::unique_ptr<rocksdb::BackupEngine> engine(raw);
  rocksdb::CreateBackupOptions create;
  create.flush_before_backup = false;  // the log is copied: one instant across the column families
  rocksdb::BackupID id = 0;
  rocksdb::IOStatus made = engine->CreateNewBackup(create, (*hold).db.get(), &id);
  if (!made.ok()) return Unavailable("the backup into " + backup_dir + " failed: " + made.ToString());
  rocksdb::BackupInfo info;
  if (engine->GetBackupInfo(id, &info).ok()) out.bytes = info.size;
  out.id = id;
  return out;
}

StatusOr<RocksDbEventStore::DbHold> RocksDbEventStore::HoldDb() const {
  std::shared_lock lock(db_mu_);
  if (!db_)
    return Unavailable("the store in " + options_.path +
                       " is closed until it reopens: " + health_->Writable().message());
  return DbHold(std::move(lock), *db_);
}

StatusOr<uint64_t> RocksDbEventStore::StreamVersion(const std::string& stream_id) {
  RELAIS_ASSIGN_OR_RETURN(DbHold hold, HoldDb());
  return StreamVersionIn(*hold, stream_id);
}

StatusOr<std::vector<RecordedEvent>> RocksDbEventStore::ReadStream(const std::string& stream_id, uint64_t from_version,
                                                                   size_t max_count) {
  if (from_version == 0) return InvalidArgument("stream versions start at 1");
  RELAIS_ASSIGN_OR_RETURN(DbHold hold, HoldDb());
  const RocksDbHandles& db = *hold;
  std::vector<RecordedEvent> out;
  std::vector<std::string> position_keys;
  {
    std::string upper = stream_id + '\x01';
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions ro;
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db.db->NewIterator(ro, db.streams()));
    for (it->Seek(codec::StreamKey(stream_id, from_version)); it->Valid() && position_keys.size() < max_count;
         it->Next())
      position_keys.push_back(it->value().ToString());
    RELAIS_RETURN_IF_ERROR(FromRocks(it->status(), "reading stream '" + stream_id + "'"));
  }
  if (position_keys.empty()) return out;
  std::vector<rocksdb::Slice> keys(position_keys.begin(), position_keys.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  db.db->MultiGet(rocksdb::ReadOptions(), db.log(), keys.size(), keys.data(), values.data(), statuses.data());
  out.reserve(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    uint64_t position = codec::DecodeU64Key(position_keys[i]);
    if (!statuses[i].ok())
      return FromRocks(statuses[i], "reading event at position " + std::to_string(position))
          .WithContext("stream '" + stream_id + "'");
    RELAIS_ASSIGN_OR_RETURN(RecordedEvent e, codec::DecodeEvent(values[i].ToStringView(), position));
    out.push_back(std::move(e));
  }
  return out;
}

StatusOr<LogPage> RocksDbEventStore::ReadAll(uint64_t from_position, size_t max_count) {
  if (from_position == 0) return InvalidArgument("global positions start at 1");
  LogPage page;
  const uint64_t last = LastPosition();  // never show beyond what was acknowledged
  page.next_position = from_position;
  if (from_position > last) return page;
  RELAIS_ASSIGN_OR_RETURN(DbHold hold, HoldDb());
  std::unique_ptr<rocksdb::Iterator> it((*hold).db->NewIterator(rocksdb::ReadOptions(), (*hold).log()));
  for (it->Seek(codec::EncodeU64Key(from_position)); it->Valid() && page.events.size() < max_count; it->Next()) {
    uint64_t position = codec::DecodeU64Key(it->key().ToStringView());
    if (position > last) break;
    if (position != page.next_position)
      return Corruption("global log has a gap: expected position " + std::to_string(page.next_position) + ", found " +
                        std::to_string(position));
    RELAIS_ASSIGN_OR_RETURN(RecordedEvent e, codec::DecodeEvent(it->value().ToStringView(), position));
    page.events.push_back(std::move(e));
    page.next_position = position + 1;
  }
  RELAIS_RETURN_IF_ERROR(FromRocks(it->status(), "reading the global log"));
  return page;
}

StatusOr<std::optional<EventLocation>> RocksDbEventStore::LookupEvent(const std::string& event_id) {
  RELAIS_ASSIGN_OR_RETURN(DbHold hold, HoldDb());
  return EventLocationIn(*hold, event_id);
}

Status RocksDbEventStore::SaveSnapshot(const std::string& stream_id, const Snapshot& snapshot) {
  std::lock_guard lock(snapshot_mu_);
  RELAIS_ASSIGN_OR_RETURN(DbHold hold, HoldDb());
  const RocksDbHandles& db = *hold;
  RELAIS_ASSIGN_OR_RETURN(uint64_t current, StreamVersionIn(db, stream_id));
  if (snapshot.version == 0 || snapshot.version > current)
    return InvalidArgument("snapshot at version " + std::to_string(snapshot.version) + " of stream '" + stream_id +
                           "' which is at version " + std::to_string(current));
  RELAIS_ASSIGN_OR_RETURN(auto existing, SnapshotIn(db, stream_id));
  if (existing && existing->version >= snapshot.version) return Status::Ok();
  // Not synced: a lost snapshot costs a longer replay, never data.
  return FromRocks(db.db->Put(rocksdb::WriteOptions(), db.snapshots(), stream_id, codec::EncodeSnapshot(snapshot)),
                   "saving snapshot of '" + stream_id + "'");
}

StatusOr<std::optional<Snapshot>> RocksDbEventStore::LoadSnapshot(const std::string& stream_id) {
  RELAIS_ASSIGN_OR_RETURN(DbHold hold, HoldDb());
  return SnapshotIn(*hold, stream_id);
}

Status RocksDbEventStore::KvWrite(const KvWrites& writes) {
  if (writes.empty()) return Status::Ok();
  RELAIS_ASSIGN_OR_RETURN(DbHold hold, HoldDb());
  const RocksDbHandles& db = *hold;
  rocksdb::WriteBatch batch;
  for (const auto& op : writes.ops) {
    if (op.value)
      batch.Put(db.kv(), op.key, *op.value).PermitUncheckedError();
    else
      batch.Delete(db.kv(), op.key).PermitUncheckedError();
  }
  rocksdb::WriteOptions wo;
  wo.sync = writes.sync;
  return leases_.Fenced(writes.fence, [&] { return FromRocks(db.db->Write(wo, &batch), "writing key-value entries"); });
}

StatusOr<LeaseGrant> RocksDbEventStore::AcquireLease(const std::string& lease, const std::string& holder,
                                                     std::chrono::milliseconds ttl) {
  return leases_.Acquire(lease, holder, ttl);
}

Status RocksDbEventStore::ReleaseLease(const std::string& lease, const std::string& holder) {
  return leases_.Release(lease, holder);
}

StatusOr<std::optional<std::string>> RocksDbEventStore::KvGet(const std::string& key) {
  RELAIS_ASSIGN_OR_RETURN(DbHold hold, HoldDb());
  std::string value;
  rocksdb::Status s = (*hold).db->Get(rocksdb::ReadOptions(), (*hold).kv(), key, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  RELAIS_RETURN_IF_ERROR(FromRocks(s, "reading key '" + key + "'"));
  return std::optional<std::string>(std::move(value));
}

StatusOr<std::vector<KvEntry>> RocksDbEventStore::KvScan(const std::string& prefix, const std::string& start_after,
                                                         size_t max_count) {
  RELAIS_ASSIGN_OR_RETURN(DbHold hold, HoldDb());
  std::vector<KvEntry> out;
  // The iterator stops at the end of the prefix: without the bound, a Seek
  // into a prefix holding no live key skips every deleted key (tombstone)
  // after it, up to the next live key anywhere (a drained queue: all of it).
  std::string upper = prefix;
  while (!upper.empty() && static_cast<unsigned char>(upper.back()) == 0xff) upper.pop_back();
  if (!upper.empty()) upper.back() = static_cast<char>(static_cast<unsigned char>(upper.back()) + 1);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions read;
  if (!upper.empty()) read.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it((*hold).db->NewIterator(read, (*hold).kv()));
  if (start_after > prefix) {
    it->Seek(start_after);
    if (it->Valid() && it->key() == rocksdb::Slice(start_after)) it->Next();
  } else {
    it->Seek(prefix);
  }
  for (; it->Valid() && out.size() < max_count && it->key().starts_with(prefix); it->Next())
    out.push_back({it->key().ToString(), it->value().ToString()});
  RELAIS_RETURN_IF_ERROR(FromRocks(it->status(), "scanning keys under '" + prefix + "'"));
  return out;
}

StoreStats RocksDbEventStore::Stats() const {
  StoreStats stats;
  stats.last_position = LastPosition();
  stats.appends = appends_.load(std::memory_order_relaxed);
  stats.commit_groups = commit_groups_.load(std::memory_order_relaxed);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(options_.path, ec))
    if (entry.is_regular_file(ec)) stats.disk_bytes += entry.file_size(ec);
  auto hold = HoldDb();
  if (!hold.ok()) return stats;  // no database open: no background jobs
  const RocksDbHandles& db = **hold;
  uint64_t n = 0;
  if (db.db->GetIntProperty(rocksdb::DB::Properties::kNumRunningCompactions, &n)) stats.background_jobs += n;
  if (db.db->GetIntProperty(rocksdb::DB::Properties::kNumRunningFlushes, &n)) stats.background_jobs += n;
  for (auto* cf : db.cfs) {
    if (db.db->GetIntProperty(cf, rocksdb::DB::Properties::kCompactionPending, &n)) stats.background_jobs += n;
    if (db.db->GetIntProperty(cf, rocksdb::DB::Properties::kMemTableFlushPending, &n)) stats.background_jobs += n;
  }
  return stats;
}

}  // namespace relais
