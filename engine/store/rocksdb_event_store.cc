#include "engine/store/rocksdb_event_store.h"

#include <unistd.h>

#include <filesystem>
#include <system_error>

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/options_util.h>
#include <rocksdb/write_batch.h>

#include "engine/store/append_rules.h"
#include "engine/store/codec.h"

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
  static const std::vector<std::string> names = {rocksdb::kDefaultColumnFamilyName, kLogCf, kStreamsCf,
                                                 kEventIdsCf, kSnapshotsCf, kKvCf};
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

}  // namespace

struct RocksDbHandles {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> cfs;  // in RelaisColumnFamilies() order
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
    db->Flush(rocksdb::FlushOptions(), cfs).PermitUncheckedError();
    for (auto* cf : cfs) db->DestroyColumnFamilyHandle(cf);
    db->Close().PermitUncheckedError();
  }
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
};

OpenedDb MakeOptions(const RocksDbStoreOptions& o) {
  OpenedDb out;
  rocksdb::Options& options = out.options;
  if (o.env) options.env = o.env;
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

// Creates a new store beside `path` and renames it into place, so a crash
// mid-creation never leaves a half-made store at `path`.
Status CreateStore(const RocksDbStoreOptions& o, const TimePoint now) {
  fs::path target(o.path);
  fs::path staging = target.string() + ".creating-" + std::to_string(::getpid());
  std::error_code ec;
  fs::remove_all(staging, ec);
  if (target.has_parent_path()) fs::create_directories(target.parent_path(), ec);
  OpenedDb spec = MakeOptions(o);
  spec.options.create_if_missing = true;
  spec.options.create_missing_column_families = true;
  spec.options.error_if_exists = true;
  {
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(spec.options, staging.string(), spec.descriptors, &handles, &raw);
    if (!s.ok()) return FromRocks(s, "creating store in " + staging.string());
    RocksDbHandles h;
    h.db.reset(raw);
    h.cfs = handles;
    rocksdb::WriteBatch batch;
    batch.Put(h.meta(), kFormatKey, std::to_string(kStoreFormatVersion)).PermitUncheckedError();
    batch.Put(h.meta(), kCreatedAtKey, std::to_string(ToMicros(now))).PermitUncheckedError();
    rocksdb::WriteOptions wo;
    wo.sync = true;
    RELAIS_RETURN_IF_ERROR(FromRocks(h.db->Write(wo, &batch), "writing store metadata"));
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
  OpenedDb spec = MakeOptions(options);
  auto handles = std::make_unique<RocksDbHandles>();
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(spec.options, options.path, spec.descriptors, &handles->cfs, &raw);
  if (!s.ok()) return FromRocks(s, "opening store " + options.path);
  handles->db.reset(raw);

  uint64_t last_position = 0;
  {
    std::unique_ptr<rocksdb::Iterator> it(handles->db->NewIterator(rocksdb::ReadOptions(), handles->log()));
    it->SeekToLast();
    if (it->Valid()) last_position = codec::DecodeU64Key(it->key().ToStringView());
    RELAIS_RETURN_IF_ERROR(FromRocks(it->status(), "finding the last position"));
  }
  return std::unique_ptr<RocksDbEventStore>(new RocksDbEventStore(options, std::move(handles), last_position));
}

RocksDbEventStore::RocksDbEventStore(const RocksDbStoreOptions& options, std::unique_ptr<RocksDbHandles> handles,
                                     uint64_t last_position)
    : options_(options),
      clock_(options.clock ? *options.clock : SystemClock::Instance()),
      db_(std::move(handles)),
      next_position_(last_position + 1),
      last_position_(last_position) {
  completer_ = std::thread([this] { CompleteLoop(); });
  committer_ = std::thread([this] { CommitLoop(); });
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
  TimePoint now = clock_.Now();
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
  while (true) {
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait(lock, [&] { return !queue_.empty() || closing_; });
      if (queue_.empty()) return;  // closing, and every queued append is answered
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
    }
    CommitGroupOf(group);
    group.clear();
  }
}

StatusOr<uint64_t> RocksDbEventStore::LoadStreamVersion(const std::string& stream_id) {
  std::string prefix = codec::StreamPrefix(stream_id);
  std::unique_ptr<rocksdb::Iterator> it(db_->db->NewIterator(rocksdb::ReadOptions(), db_->streams()));
  it->SeekForPrev(codec::StreamKey(stream_id, UINT64_MAX));
  RELAIS_RETURN_IF_ERROR(FromRocks(it->status(), "reading the version of stream '" + stream_id + "'"));
  if (!it->Valid() || !it->key().starts_with(prefix)) return uint64_t{0};
  return codec::DecodeU64Key(it->key().ToStringView().substr(prefix.size()));
}

void RocksDbEventStore::CommitGroupOf(std::deque<Pending>& group) {
  if (write_failed_) {
    rocksdb::Status resumed = db_->db->Resume();
    if (!resumed.ok()) {
      Status err = Unavailable("the store cannot write since an I/O error (" + resumed.ToString() +
                               "); reads still work; restart Relais once the disk is healthy");
      {
        std::lock_guard lock(done_mu_);
        for (Pending& p : group) done_.push_back({std::move(p.done), err});
      }
      done_cv_.notify_one();
      return;
    }
    write_failed_ = false;
  }

  struct Outcome {
    StatusOr<AppendResult> result = Status(Internal("undecided"));
    bool needs_batch = false;  // true: only valid if this group's batch commits
  };
  std::vector<Outcome> outcomes(group.size());
  std::unordered_map<std::string, uint64_t> pending_versions;
  std::unordered_map<std::string, EventLocation> pending_ids;
  rocksdb::WriteBatch batch;
  uint64_t position = next_position_;
  uint64_t written = 0;

  for (size_t g = 0; g < group.size(); ++g) {
    Pending& p = group[g];
    AppendRequest& req = p.request;
    Outcome& out = outcomes[g];

    uint64_t current;
    if (auto it = pending_versions.find(req.stream_id); it != pending_versions.end()) {
      current = it->second;
    } else if (auto cached = stream_versions_.find(req.stream_id); cached != stream_versions_.end()) {
      current = cached->second;
    } else {
      auto loaded = LoadStreamVersion(req.stream_id);
      if (!loaded.ok()) {
        out.result = loaded.status();
        continue;
      }
      current = *loaded;
    }

    bool saw_pending = false;
    auto lookup = [&](const std::string& id) -> StatusOr<std::optional<EventLocation>> {
      if (auto it = pending_ids.find(id); it != pending_ids.end()) {
        saw_pending = true;
        return std::optional<EventLocation>(it->second);
      }
      std::string value;
      rocksdb::Status s = db_->db->Get(rocksdb::ReadOptions(), db_->event_ids(), id, &value);
      if (s.IsNotFound()) return std::optional<EventLocation>();
      RELAIS_RETURN_IF_ERROR(FromRocks(s, "looking up event id " + id));
      RELAIS_ASSIGN_OR_RETURN(auto loc, codec::DecodeLocation(value));
      return std::optional<EventLocation>(std::move(loc));
    };
    auto decision = DecideAppend(req, current, lookup);
    if (!decision.ok()) {
      out.result = decision.status();
      continue;
    }
    if (decision->has_value()) {
      out.result = **decision;
      out.needs_batch = saw_pending;
      continue;
    }

    AppendResult r;
    r.first_version = current + 1;
    r.first_position = position;
    r.recorded_at = p.recorded_at;
    for (size_t i = 0; i < req.events.size(); ++i) {
      uint64_t version = current + 1 + i;
      std::string pos_key = codec::EncodeU64Key(position);
      codec::PatchVersion(p.envelopes[i], version);
      batch.Put(db_->log(), pos_key, p.envelopes[i]).PermitUncheckedError();
      batch.Put(db_->streams(), codec::StreamKey(req.stream_id, version), pos_key).PermitUncheckedError();
      EventLocation loc{req.stream_id, version, position};
      batch.Put(db_->event_ids(), req.events[i].event_id, codec::EncodeLocation(loc)).PermitUncheckedError();
      pending_ids[req.events[i].event_id] = std::move(loc);
      ++position;
    }
    r.last_version = current + req.events.size();
    r.last_position = position - 1;
    if (req.snapshot)
      batch.Put(db_->snapshots(), req.stream_id, codec::EncodeSnapshot(*req.snapshot)).PermitUncheckedError();
    KvWrites side = std::move(req.side_writes);
    if (req.attach) req.attach(r, side);
    for (const auto& op : side.ops) {
      if (op.value) batch.Put(db_->kv(), op.key, *op.value).PermitUncheckedError();
      else batch.Delete(db_->kv(), op.key).PermitUncheckedError();
    }
    pending_versions[req.stream_id] = r.last_version;
    out.result = r;
    out.needs_batch = true;
    ++written;
  }

  bool committed = false;
  if (batch.Count() > 0) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    rocksdb::Status s = db_->db->Write(wo, &batch);
    if (s.ok()) {
      committed = true;
      if (stream_versions_.size() + pending_versions.size() > options_.stream_cache_capacity)
        stream_versions_.clear();  // cheap bound; versions reload from the index on demand
      for (auto& [stream, version] : pending_versions) stream_versions_[stream] = version;
      next_position_ = position;
      last_position_.store(position - 1, std::memory_order_release);
      appends_.fetch_add(written, std::memory_order_relaxed);
      commit_groups_.fetch_add(1, std::memory_order_relaxed);
    } else {
      write_failed_ = true;
      Status err = FromRocks(s, "append not stored");
      for (Outcome& out : outcomes)
        if (out.needs_batch) out.result = err;
    }
  }
  // Subscribers first, so an acknowledged append has always been announced.
  if (committed) listeners_.Notify(last_position_.load(std::memory_order_acquire));
  // Acknowledge on the completion thread, so the next group's sync starts now;
  // a lone append with nothing pending there is answered directly (one hop
  // less), which keeps acknowledgements in commit order either way.
  std::unique_lock lock(done_mu_);
  if (group.size() == 1 && done_.empty() && !completing_) {
    lock.unlock();
    group[0].done(std::move(outcomes[0].result));
    return;
  }
  for (size_t g = 0; g < group.size(); ++g) done_.push_back({std::move(group[g].done), std::move(outcomes[g].result)});
  lock.unlock();
  done_cv_.notify_one();
}

StatusOr<uint64_t> RocksDbEventStore::StreamVersion(const std::string& stream_id) {
  return LoadStreamVersion(stream_id);
}

StatusOr<std::vector<RecordedEvent>> RocksDbEventStore::ReadStream(const std::string& stream_id,
                                                                   uint64_t from_version, size_t max_count) {
  if (from_version == 0) return InvalidArgument("stream versions start at 1");
  std::vector<RecordedEvent> out;
  std::vector<std::string> position_keys;
  {
    std::string upper = stream_id + '\x01';
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions ro;
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->db->NewIterator(ro, db_->streams()));
    for (it->Seek(codec::StreamKey(stream_id, from_version)); it->Valid() && position_keys.size() < max_count;
         it->Next())
      position_keys.push_back(it->value().ToString());
    RELAIS_RETURN_IF_ERROR(FromRocks(it->status(), "reading stream '" + stream_id + "'"));
  }
  if (position_keys.empty()) return out;
  std::vector<rocksdb::Slice> keys(position_keys.begin(), position_keys.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  db_->db->MultiGet(rocksdb::ReadOptions(), db_->log(), keys.size(), keys.data(), values.data(), statuses.data());
  out.reserve(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    uint64_t position = codec::DecodeU64Key(position_keys[i]);
    if (!statuses[i].ok())
      return FromRocks(statuses[i], "reading event at position " + std::to_string(position)).WithContext(
          "stream '" + stream_id + "'");
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
  std::unique_ptr<rocksdb::Iterator> it(db_->db->NewIterator(rocksdb::ReadOptions(), db_->log()));
  for (it->Seek(codec::EncodeU64Key(from_position)); it->Valid() && page.events.size() < max_count; it->Next()) {
    uint64_t position = codec::DecodeU64Key(it->key().ToStringView());
    if (position > last) break;
    if (position != page.next_position)
      return Corruption("global log has a gap: expected position " + std::to_string(page.next_position) +
                        ", found " + std::to_string(position));
    RELAIS_ASSIGN_OR_RETURN(RecordedEvent e, codec::DecodeEvent(it->value().ToStringView(), position));
    page.events.push_back(std::move(e));
    page.next_position = position + 1;
  }
  RELAIS_RETURN_IF_ERROR(FromRocks(it->status(), "reading the global log"));
  return page;
}

StatusOr<std::optional<EventLocation>> RocksDbEventStore::LookupEvent(const std::string& event_id) {
  std::string value;
  rocksdb::Status s = db_->db->Get(rocksdb::ReadOptions(), db_->event_ids(), event_id, &value);
  if (s.IsNotFound()) return std::optional<EventLocation>();
  RELAIS_RETURN_IF_ERROR(FromRocks(s, "looking up event id " + event_id));
  RELAIS_ASSIGN_OR_RETURN(EventLocation loc, codec::DecodeLocation(value));
  return std::optional<EventLocation>(std::move(loc));
}

Status RocksDbEventStore::SaveSnapshot(const std::string& stream_id, const Snapshot& snapshot) {
  std::lock_guard lock(snapshot_mu_);
  RELAIS_ASSIGN_OR_RETURN(uint64_t current, LoadStreamVersion(stream_id));
  if (snapshot.version == 0 || snapshot.version > current)
    return InvalidArgument("snapshot at version " + std::to_string(snapshot.version) + " of stream '" + stream_id +
                           "' which is at version " + std::to_string(current));
  RELAIS_ASSIGN_OR_RETURN(auto existing, LoadSnapshot(stream_id));
  if (existing && existing->version >= snapshot.version) return Status::Ok();
  // Not synced: a lost snapshot costs a longer replay, never data.
  return FromRocks(db_->db->Put(rocksdb::WriteOptions(), db_->snapshots(), stream_id, codec::EncodeSnapshot(snapshot)),
                   "saving snapshot of '" + stream_id + "'");
}

StatusOr<std::optional<Snapshot>> RocksDbEventStore::LoadSnapshot(const std::string& stream_id) {
  std::string value;
  rocksdb::Status s = db_->db->Get(rocksdb::ReadOptions(), db_->snapshots(), stream_id, &value);
  if (s.IsNotFound()) return std::optional<Snapshot>();
  RELAIS_RETURN_IF_ERROR(FromRocks(s, "loading snapshot of '" + stream_id + "'"));
  RELAIS_ASSIGN_OR_RETURN(Snapshot snap, codec::DecodeSnapshot(value));
  return std::optional<Snapshot>(std::move(snap));
}

Status RocksDbEventStore::KvWrite(const KvWrites& writes) {
  if (writes.empty()) return Status::Ok();
  rocksdb::WriteBatch batch;
  for (const auto& op : writes.ops) {
    if (op.value) batch.Put(db_->kv(), op.key, *op.value).PermitUncheckedError();
    else batch.Delete(db_->kv(), op.key).PermitUncheckedError();
  }
  rocksdb::WriteOptions wo;
  wo.sync = writes.sync;
  return FromRocks(db_->db->Write(wo, &batch), "writing key-value entries");
}

StatusOr<std::optional<std::string>> RocksDbEventStore::KvGet(const std::string& key) {
  std::string value;
  rocksdb::Status s = db_->db->Get(rocksdb::ReadOptions(), db_->kv(), key, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  RELAIS_RETURN_IF_ERROR(FromRocks(s, "reading key '" + key + "'"));
  return std::optional<std::string>(std::move(value));
}

StatusOr<std::vector<KvEntry>> RocksDbEventStore::KvScan(const std::string& prefix, const std::string& start_after,
                                                         size_t max_count) {
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
  std::unique_ptr<rocksdb::Iterator> it(db_->db->NewIterator(read, db_->kv()));
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
  uint64_t n = 0;
  if (db_->db->GetIntProperty(rocksdb::DB::Properties::kNumRunningCompactions, &n)) stats.background_jobs += n;
  if (db_->db->GetIntProperty(rocksdb::DB::Properties::kNumRunningFlushes, &n)) stats.background_jobs += n;
  for (auto* cf : db_->cfs) {
    if (db_->db->GetIntProperty(cf, rocksdb::DB::Properties::kCompactionPending, &n)) stats.background_jobs += n;
    if (db_->db->GetIntProperty(cf, rocksdb::DB::Properties::kMemTableFlushPending, &n)) stats.background_jobs += n;
  }
  return stats;
}

}  // namespace relais
