#include "engine/store/postgres_event_store.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <unordered_map>

#include "engine/store/append_rules.h"
#include "engine/store/codec.h"
#include "engine/store/local_leases.h"
#include "engine/store/pg_schema.h"
#include "engine/util/base64.h"
#include "engine/util/thread_name.h"

namespace relais {

// Connections for reads and key-value writes, one caller at a time each.
class PostgresEventStore::Pool {
 public:
  explicit Pool(std::vector<std::unique_ptr<PgConnection>> conns) : free_(std::move(conns)) {}
  std::unique_ptr<PgConnection> Take() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !free_.empty(); });
    auto c = std::move(free_.back());
    free_.pop_back();
    return c;
  }
  void Give(std::unique_ptr<PgConnection> c) {
    {
      std::lock_guard lock(mu_);
      free_.push_back(std::move(c));
    }
    cv_.notify_one();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<PgConnection>> free_;
};

namespace {
// Key-value changes: key -> its last value (nullopt: deleted).
using KvChanges = std::map<std::string, std::optional<std::string>>;
}  // namespace

// One group's transaction: what is stored (read up front in two statements)
// and what the group writes (written at the end in a few set-based ones), so
// a group costs the same handful of round trips whatever its size.
struct PostgresEventStore::GroupState {
  uint64_t next_position = 0;
  std::unordered_map<std::string, uint64_t> versions;  // every stream of the group: stored, then as written
  std::unordered_map<std::string, EventLocation> ids;  // the group's event ids already stored or written
  // What the group writes.
  std::vector<std::string> streams, versions_written, event_ids, envelopes;  // in position order
  size_t written = 0;  // appends written (not refused, not deduplicated)
  KvChanges kv;
  std::map<std::string, Snapshot> snapshots;  // stream -> its newest snapshot
};

namespace {

const Clock& ClockOf(const PostgresStoreOptions& o) {
  static const SystemClock system;
  return o.clock ? *o.clock : system;
}

constexpr std::string_view kStreamVersion =
    "SELECT coalesce(max(version), 0)::bigint FROM relais_events WHERE stream_id = $1";

std::string JoinComma(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ',';
    out += item;
  }
  return out;
}

// A PostgreSQL array literal (text format) of strings, or of bytes as bytea.
std::string ArrayLiteral(const std::vector<std::string>& items, bool bytes) {
  static const char* kHex = "0123456789abcdef";
  std::string out = "{";
  for (const std::string& item : items) {
    if (out.size() > 1) out += ',';
    out += '"';
    if (bytes) {
      out += "\\\\x";  // \\x inside the quoted element: a backslash, then x
      for (unsigned char c : item) {
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
    } else {
      for (char c : item) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
    }
    out += '"';
  }
  return out + "}";
}

StatusOr<std::vector<RecordedEvent>> DecodeRows(const PgResult& rows) {
  std::vector<RecordedEvent> out;
  out.reserve(static_cast<size_t>(rows.rows()));
  for (int i = 0; i < rows.rows(); ++i) {
    RELAIS_ASSIGN_OR_RETURN(RecordedEvent e, codec::DecodeEvent(rows.Bytes(i, 1), rows.U64(i, 0)));
    out.push_back(std::move(e));
  }
  return out;
}

PgParam ArrayParam(const std::vector<std::string>& items, bool bytes) {
  return PgParam::Text(ArrayLiteral(items, bytes));
}

// The start of every commit group: the transaction, the lock that makes
// positions follow commit order across every node, and the last position
// (the third result).
std::vector<PgStatement> GroupStart() {
  std::vector<PgStatement> out;
  out.push_back({"BEGIN", {}});
  out.push_back({"SELECT pg_advisory_xact_lock($1)", {PgParam::Text(std::to_string(kPgCommitLock))}});
  out.push_back({"SELECT coalesce(max(position), 0)::bigint FROM relais_events", {}});
  return out;
}

// Key-value changes (key -> its last value; nullopt: deleted) as at most two
// set-based statements, whatever their number.
void AppendKvStatements(KvChanges& kv, std::vector<PgStatement>& out) {
  std::vector<std::string> put_keys, put_values, deleted;
  for (auto& [key, value] : kv) {
    if (value) {
      put_keys.push_back(key);
      put_values.push_back(std::move(*value));
    } else {
      deleted.push_back(key);
    }
  }
  if (!put_keys.empty())
    out.push_back(
        {"INSERT INTO relais_kv (key, value) SELECT * FROM unnest($1::bytea[], $2::bytea[]) "
         "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
         {ArrayParam(put_keys, true), ArrayParam(put_values, true)}});
  if (!deleted.empty())
    out.push_back({"DELETE FROM relais_kv WHERE key = ANY($1::bytea[])", {ArrayParam(deleted, true)}});
}

// Snapshots, one per stream (the upsert touches each row once), as one
// statement that never replaces a newer stored snapshot.
void AppendSnapshotStatement(const std::map<std::string, Snapshot>& snapshots, std::vector<PgStatement>& out) {
  if (snapshots.empty()) return;
  std::vector<std::string> streams, versions, values;
  for (const auto& [stream, snapshot] : snapshots) {
    streams.push_back(stream);
    versions.push_back(std::to_string(snapshot.version));
    values.push_back(codec::EncodeSnapshot(snapshot));
  }
  out.push_back(
      {"INSERT INTO relais_snapshots (stream_id, version, value) "
       "SELECT * FROM unnest($1::text[], $2::bigint[], $3::bytea[]) ON CONFLICT (stream_id) DO UPDATE "
       "SET version = excluded.version, value = excluded.value "
       "WHERE relais_snapshots.version < excluded.version",
       {ArrayParam(streams, false), PgParam::Text("{" + JoinComma(versions) + "}"), ArrayParam(values, true)}});
}

}  // namespace

StatusOr<std::unique_ptr<PostgresEventStore>> PostgresEventStore::Open(const PostgresStoreOptions& options) {
  RELAIS_ASSIGN_OR_RETURN(auto committer, PgConnection::Connect(options.conninfo));
  RELAIS_RETURN_IF_ERROR(MigratePgSchema(*committer).status());
  RELAIS_ASSIGN_OR_RETURN(PgResult last,
                          committer->Exec("SELECT coalesce(max(position), 0)::bigint FROM relais_events"));
  RELAIS_ASSIGN_OR_RETURN(PgResult schema, committer->Exec("SELECT current_schema()::text"));
  std::vector<std::unique_ptr<PgConnection>> readers;
  for (size_t i = 0; i < std::max<size_t>(1, options.read_connections); ++i) {
    RELAIS_ASSIGN_OR_RETURN(auto c, PgConnection::Connect(options.conninfo));
    readers.push_back(std::move(c));
  }
  auto store = std::unique_ptr<PostgresEventStore>(new PostgresEventStore(
      options, std::move(committer), std::make_unique<Pool>(std::move(readers)), last.U64(0, 0)));
  store->channel_ = "relais_commits:" + std::string(schema.Bytes(0, 0));
  store->wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (store->wake_fd_ < 0) return Unavailable("eventfd failed");
  store->listener_thread_ = std::thread([s = store.get()] {
    SetThreadName("pg-listen");
    s->ListenLoop();
  });
  return store;
}

PostgresEventStore::PostgresEventStore(const PostgresStoreOptions& options, std::unique_ptr<PgConnection> committer,
                                       std::unique_ptr<Pool> pool, uint64_t last_position)
    : options_(options),
      clock_(ClockOf(options_)),
      committer_(std::move(committer)),
      pool_(std::move(pool)),
      recent_(options.recent_events),
      last_position_(last_position),
      committer_thread_([this] {
        SetThreadName("pg-commit");
        CommitLoop();
      }) {}

PostgresEventStore::~PostgresEventStore() {
  if (listener_thread_.joinable()) {
    const uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof(one));
    listener_thread_.join();
  }
  if (wake_fd_ >= 0) ::close(wake_fd_);
  {
    std::lock_guard lock(queue_mu_);
    closing_ = true;
  }
  queue_cv_.notify_all();
  committer_thread_.join();
}

void PostgresEventStore::AppendAsync(AppendRequest request, AppendCallback done) {
  Status valid = ValidateAppendRequest(request, options_.limits);
  if (!valid.ok()) return done(valid);
  size_t bytes = 0;
  for (const NewEvent& e : request.events) bytes += e.DataText().size() + e.type.size() + 128;
  {
    std::lock_guard lock(queue_mu_);
    if (closing_) return done(Unavailable("the store is closing"));
    queue_.push_back(Pending{std::move(request), std::move(done), bytes});
  }
  queue_cv_.notify_one();
}

void PostgresEventStore::CommitLoop() {
  for (;;) {
    std::deque<Pending> group;
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait(lock, [&] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;  // closing and drained
      size_t events = 0, bytes = 0;
      while (!queue_.empty() &&
             (group.empty() || (events + queue_.front().request.events.size() <= options_.max_batch_events &&
                                bytes + queue_.front().bytes <= options_.max_batch_bytes))) {
        events += queue_.front().request.events.size();
        bytes += queue_.front().bytes;
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    std::vector<StatusOr<AppendResult>> results = CommitGroup(group);
    for (size_t i = 0; i < group.size(); ++i) group[i].done(std::move(results[i]));
  }
}

std::vector<StatusOr<AppendResult>> PostgresEventStore::CommitGroup(std::deque<Pending>& group) {
  PgConnection& c = *committer_;
  if (!c.ok())
    if (Status s = c.Reset(); !s.ok()) return FailGroup(group.size(), s);
  if (auto committed = CommitOnKnownVersions(group)) return std::move(*committed);
  return CommitOnReadVersions(group);
}

std::vector<StatusOr<AppendResult>> PostgresEventStore::FailGroup(size_t size, const Status& s) {
  std::lock_guard lock(health_mu_);
  health_ = s;
  return std::vector<StatusOr<AppendResult>>(size, s);
}

std::optional<std::vector<StatusOr<AppendResult>>> PostgresEventStore::CommitOnKnownVersions(
    std::deque<Pending>& group) {
  GroupState g;
  g.next_position = 1;  // relative: the database adds its last position under the lock
  {
    std::lock_guard lock(known_mu_);
    for (const Pending& p : group) {
      if (p.request.attach) return std::nullopt;  // it needs the positions before the writes
      if (auto it = known_versions_.find(p.request.stream_id); it != known_versions_.end())
        g.versions[p.request.stream_id] = it->second;
      else if (p.request.expected.is_no_stream())
        g.versions[p.request.stream_id] = 0;
      else
        return std::nullopt;
    }
  }
  std::vector<std::string> streams, believed;
  for (const auto& [stream, version] : g.versions) {
    streams.push_back(stream);
    believed.push_back(std::to_string(version));
  }
  std::vector<StatusOr<AppendResult>> results;
  for (Pending& p : group) {
    results.push_back(AppendInTransaction(p, g, /*keep_request=*/true));
    // A refusal or a re-send is decided on the versions and ids read.
    if (!results.back().ok() || results.back()->deduplicated) return std::nullopt;
  }
  // One round trip: the lock, the check that every stream is still at the
  // version this node believes (a failing cast refuses the transaction
  // otherwise), the writes, the notification and the commit. A stored event
  // id refuses it too (unique index). Refused: rolled back, then the group
  // goes the way of read versions.
  std::vector<PgStatement> statements = GroupStart();
  statements.push_back(
      {"SELECT ('relais: stream ' || s.id || ' is not at version ' || s.believed)::int "
       "FROM unnest($1::text[], $2::bigint[]) AS s(id, believed) LEFT JOIN LATERAL (SELECT version "
       "FROM relais_events WHERE stream_id = s.id ORDER BY version DESC LIMIT 1) AS v ON true "
       "WHERE coalesce(v.version, 0) <> s.believed",
       {ArrayParam(streams, false), PgParam::Text("{" + JoinComma(believed) + "}")}});
  AppendWriteStatements(g, statements);
  statements.push_back({"COMMIT", {}});
  PgConnection& c = *committer_;
  size_t failed_at = 0;
  auto done = c.Pipeline(statements, &failed_at);
  if (!done.ok()) {
    if (failed_at + 1 < statements.size() && c.ok()) {
      (void)c.Exec("ROLLBACK");
      ++known_misses_;
      return std::nullopt;
    }
    return FailGroup(group.size(), UnknownOutcome(done.status()));
  }
  const uint64_t before = (*done)[2].U64(0, 0);
  for (auto& r : results) {
    r->first_position += before;
    r->last_position += before;
  }
  Committed(g, before + 1);
  ++known_groups_;
  return results;
}

std::vector<StatusOr<AppendResult>> PostgresEventStore::CommitOnReadVersions(std::deque<Pending>& group) {
  PgConnection& c = *committer_;
  auto abort = [&](const Status& s) {
    (void)c.Exec("ROLLBACK");
    return FailGroup(group.size(), s);
  };
  // Round trip 1: the transaction, the lock that makes positions follow
  // commit order across every node, and what is stored of the group's
  // streams and event ids.
  std::vector<std::string> streams, ids;
  for (const Pending& p : group) {
    streams.push_back(p.request.stream_id);
    for (const NewEvent& e : p.request.events) ids.push_back(e.event_id);
  }
  std::sort(streams.begin(), streams.end());
  streams.erase(std::unique(streams.begin(), streams.end()), streams.end());
  std::vector<PgStatement> reads = GroupStart();
  // Each stream's version: one backward probe of the (stream_id, version)
  // index per stream (max(version) ... GROUP BY read every version).
  reads.push_back(
      {"SELECT s.id, v.version FROM unnest($1::text[]) AS s(id) CROSS JOIN LATERAL (SELECT version "
       "FROM relais_events WHERE stream_id = s.id ORDER BY version DESC LIMIT 1) AS v",
       {PgParam::Text(ArrayLiteral(streams, false))}});
  reads.push_back({"SELECT event_id, stream_id, version, position FROM relais_events WHERE event_id = ANY($1::text[])",
                   {PgParam::Text(ArrayLiteral(ids, false))}});
  auto stored = c.Pipeline(reads);
  if (!stored.ok()) return c.ok() ? abort(stored.status()) : FailGroup(group.size(), stored.status());
  GroupState g;
  g.next_position = (*stored)[2].U64(0, 0) + 1;
  const uint64_t first = g.next_position;
  for (const std::string& stream : streams) g.versions[stream] = 0;
  const PgResult& versions = (*stored)[3];
  for (int i = 0; i < versions.rows(); ++i) g.versions[std::string(versions.Bytes(i, 0))] = versions.U64(i, 1);
  const PgResult& known = (*stored)[4];
  for (int i = 0; i < known.rows(); ++i)
    g.ids[std::string(known.Bytes(i, 0))] =
        EventLocation{std::string(known.Bytes(i, 1)), known.U64(i, 2), known.U64(i, 3)};
  std::vector<StatusOr<AppendResult>> results;
  for (Pending& p : group) results.push_back(AppendInTransaction(p, g, /*keep_request=*/false));
  // Round trip 2: the writes, the wake-up of other nodes' listeners
  // (ListenLoop; delivered at commit), and the commit.
  std::vector<PgStatement> writes;
  AppendWriteStatements(g, writes);
  writes.push_back({"COMMIT", {}});
  size_t failed_at = 0;
  if (auto done = c.Pipeline(writes, &failed_at); !done.ok()) {
    if (failed_at + 1 < writes.size() && c.ok()) return abort(done.status());  // refused before the commit
    return FailGroup(group.size(), UnknownOutcome(done.status()));
  }
  Committed(g, first);
  ++read_groups_;
  return results;
}

Status PostgresEventStore::UnknownOutcome(const Status& cause) {
  return Unavailable("the commit's outcome is unknown (re-send: a stored event is deduplicated): " + cause.message());
}

void PostgresEventStore::Committed(const GroupState& g, uint64_t first_position) {
  {
    std::lock_guard lock(health_mu_);
    health_ = Status::Ok();
  }
  RememberVersions(g.versions);
  appends_ += g.written;
  ++commit_groups_;
  if (g.envelopes.empty()) return;
  if (options_.recent_events == 0) return Advance(first_position + g.envelopes.size() - 1);
  std::vector<RecordedEvent> committed;
  committed.reserve(g.envelopes.size());
  for (size_t i = 0; i < g.envelopes.size(); ++i)
    if (auto e = codec::DecodeEvent(g.envelopes[i], first_position + i); e.ok())
      committed.push_back(std::move(e).value());
  if (committed.size() == g.envelopes.size()) recent_.Add(std::move(committed));
  Advance(first_position + g.envelopes.size() - 1);
}

void PostgresEventStore::RememberVersions(const std::unordered_map<std::string, uint64_t>& versions) {
  if (options_.stream_versions == 0) return;
  std::lock_guard lock(known_mu_);
  if (known_versions_.size() + versions.size() > options_.stream_versions) known_versions_.clear();  // rarely: no LRU
  for (const auto& [stream, version] : versions) known_versions_[stream] = version;
}

std::string PostgresEventStore::NotifySuffix(const GroupState& g) const {
  constexpr size_t kHead = 42;  // "<last position> <count> ": two 20-digit numbers and two spaces
  size_t bytes = kHead;
  for (const std::string& e : g.envelopes) bytes += 4 * (e.size() + 2) / 3 + 1;  // base64url and a comma
  if (bytes > options_.notify_events_bytes) return "";
  std::string suffix = ' ' + std::to_string(g.envelopes.size()) + ' ';
  for (size_t i = 0; i < g.envelopes.size(); ++i) {
    if (i > 0) suffix += ',';
    suffix += Base64Url(g.envelopes[i]);
  }
  return suffix;
}

void PostgresEventStore::OnNotification(const std::string& payload) {
  char* end = nullptr;
  const uint64_t last = std::strtoull(payload.c_str(), &end, 10);
  if (!end || end == payload.c_str() || (*end != '\0' && *end != ' ')) return;
  const bool keeps = options_.recent_events > 0 || options_.stream_versions > 0;
  if (*end == ' ' && last > LastPosition() && keeps) {  // not this node's own commit, not yet known
    const uint64_t count = std::strtoull(end + 1, &end, 10);
    std::string_view rest(end);
    bool readable = count >= 1 && count <= last && rest.size() > 1 && rest[0] == ' ';
    rest.remove_prefix(std::min<size_t>(rest.size(), 1));
    std::vector<RecordedEvent> events;
    for (uint64_t position = last - count + 1; readable && position <= last; ++position) {
      const size_t comma = rest.find(',');
      auto bytes = FromBase64Url(std::string(rest.substr(0, comma)));
      auto event = bytes ? codec::DecodeEvent(*bytes, position) : StatusOr<RecordedEvent>(Corruption("base64"));
      readable = event.ok() && (comma == std::string_view::npos) == (position == last);
      if (readable) events.push_back(std::move(event).value());
      rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
    }
    if (readable) {  // else: read from the database when asked
      std::unordered_map<std::string, uint64_t> versions;
      for (const RecordedEvent& e : events) versions[e.stream_id] = std::max(versions[e.stream_id], e.version);
      RememberVersions(versions);
      recent_.Add(std::move(events));
    }
  }
  Advance(last);
}

void PostgresEventStore::Advance(uint64_t position) {
  uint64_t seen = last_position_.load(std::memory_order_acquire);
  while (position > seen && !last_position_.compare_exchange_weak(seen, position, std::memory_order_acq_rel)) {
  }
  if (position > seen) listeners_.Notify(position);
}

void PostgresEventStore::ListenLoop() {
  using Clock = std::chrono::steady_clock;
  std::unique_ptr<PgConnection> conn;
  Clock::time_point next_check = Clock::now();
  for (;;) {
    if (!conn) {
      auto made = PgConnection::Connect(options_.conninfo);
      if (made.ok() && (*made)->Exec("LISTEN " + (*made)->QuoteIdentifier(channel_)).ok()) {
        conn = std::move(made).value();
        next_check = Clock::now();  // what was missed while not listening
      }
    }
    if (conn && Clock::now() >= next_check) {
      const uint64_t known = LastPosition();
      auto last = conn->Exec("SELECT coalesce(max(position), 0)::bigint FROM relais_events");
      if (last.ok() && last->U64(0, 0) < known) {
        // Committed events are gone (a failover to a standby that was not
        // synchronous, rows deleted by hand): what is held may no longer be
        // what the database has at those positions.
        recent_.Clear();
        std::lock_guard lock(known_mu_);
        known_versions_.clear();
      } else if (last.ok()) {
        Advance(last->U64(0, 0));
      } else if (!conn->ok()) {
        conn.reset();
      }
      next_check = Clock::now() + options_.catch_up_interval;
    }
    const auto wait = conn ? std::max<Clock::duration>(next_check - Clock::now(), Clock::duration::zero())
                           : Clock::duration(options_.catch_up_interval);
    pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {conn ? conn->Socket() : -1, POLLIN, 0}};
    const int ready = ::poll(fds, conn ? 2 : 1,
                             static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(wait).count()));
    if (ready > 0 && (fds[0].revents & POLLIN)) return;  // the store is closing
    if (ready > 0 && conn && fds[1].revents) {
      auto arrived = conn->Notifications();
      if (!arrived.ok()) {
        conn.reset();
        continue;
      }
      for (const auto& [channel, payload] : *arrived)
        if (channel == channel_) OnNotification(payload);
    }
  }
}

StatusOr<AppendResult> PostgresEventStore::AppendInTransaction(Pending& p, GroupState& g, bool keep_request) {
  AppendRequest& req = p.request;
  const auto stream = g.versions.find(req.stream_id);
  const uint64_t current = stream == g.versions.end() ? 0 : stream->second;
  auto lookup = [&](const std::string& id) -> StatusOr<std::optional<EventLocation>> {
    if (auto it = g.ids.find(id); it != g.ids.end()) return std::optional<EventLocation>(it->second);
    return std::optional<EventLocation>();
  };
  RELAIS_ASSIGN_OR_RETURN(auto decided, DecideAppend(req, current, lookup));
  if (decided) return *decided;
  std::vector<std::string> texts;
  for (NewEvent& e : req.events) {
    texts.push_back(e.data_json.empty() ? DumpJson(e.data) : keep_request ? e.data_json : std::move(e.data_json));
    RELAIS_RETURN_IF_ERROR(
        CheckEventSize(e, codec::EncodedEventSize(e, req.stream_id, texts.back().size()), options_.limits));
  }
  AppendResult r;
  r.first_version = current + 1;
  r.last_version = current + req.events.size();
  r.first_position = g.next_position;
  r.last_position = g.next_position + req.events.size() - 1;
  r.recorded_at = req.recorded_at.value_or(clock_.Now());
  for (size_t i = 0; i < req.events.size(); ++i) {
    const NewEvent& e = req.events[i];
    const uint64_t version = r.first_version + i, position = r.first_position + i;
    std::string envelope = codec::EncodeEvent(e, req.stream_id, r.recorded_at, texts[i]);
    codec::PatchVersion(envelope, version);
    g.streams.push_back(req.stream_id);
    g.versions_written.push_back(std::to_string(version));
    g.event_ids.push_back(e.event_id);
    g.envelopes.push_back(std::move(envelope));
    g.ids[e.event_id] = EventLocation{req.stream_id, version, position};
  }
  g.versions[req.stream_id] = r.last_version;
  g.next_position = r.last_position + 1;
  ++g.written;
  KvWrites side = keep_request ? req.side_writes : std::move(req.side_writes);
  if (req.attach) req.attach(r, side);
  for (auto& op : side.ops) g.kv[op.key] = std::move(op.value);
  if (req.snapshot) {
    auto [it, inserted] = g.snapshots.try_emplace(req.stream_id, *req.snapshot);
    if (!inserted && it->second.version < req.snapshot->version) it->second = *req.snapshot;
  }
  return r;
}

void PostgresEventStore::AppendWriteStatements(GroupState& g, std::vector<PgStatement>& out) const {
  if (g.envelopes.empty()) return AppendKvAndSnapshots(g, out);
  // Positions follow the last one stored, read under the lock by this
  // transaction (the events are in position order).
  out.push_back(
      {"INSERT INTO relais_events (position, stream_id, version, event_id, envelope) "
       "SELECT m.last + e.n, e.stream_id, e.version, e.event_id, e.envelope "
       "FROM (SELECT coalesce(max(position), 0) AS last FROM relais_events) AS m, "
       "unnest($1::text[], $2::bigint[], $3::text[], $4::bytea[]) WITH ORDINALITY "
       "AS e(stream_id, version, event_id, envelope, n)",
       {ArrayParam(g.streams, false), PgParam::Text("{" + JoinComma(g.versions_written) + "}"),
        ArrayParam(g.event_ids, false), ArrayParam(g.envelopes, true)}});
  AppendKvAndSnapshots(g, out);
  // Other nodes' listeners wake at commit (ListenLoop): the last position,
  // and the events when they fit.
  out.push_back({"SELECT pg_notify($1, (SELECT max(position) FROM relais_events)::text || $2)",
                 {PgParam::Text(channel_), PgParam::Text(NotifySuffix(g))}});
}

void PostgresEventStore::AppendKvAndSnapshots(GroupState& g, std::vector<PgStatement>& out) {
  AppendKvStatements(g.kv, out);
  AppendSnapshotStatement(g.snapshots, out);
}

template <typename Fn>
auto PostgresEventStore::WithConnection(Fn fn) -> decltype(fn(std::declval<PgConnection&>())) {
  std::unique_ptr<PgConnection> c = pool_->Take();
  if (!c->ok()) (void)c->Reset();
  auto result = fn(*c);
  if (!result.ok() && !c->ok() && c->Reset().ok()) result = fn(*c);  // lost once: reconnect, read again
  pool_->Give(std::move(c));
  return result;
}

StatusOr<uint64_t> PostgresEventStore::StreamVersion(const std::string& stream_id) {
  return WithConnection([&](PgConnection& c) -> StatusOr<uint64_t> {
    RELAIS_ASSIGN_OR_RETURN(PgResult r, c.Exec(kStreamVersion, {PgParam::Text(stream_id)}));
    return r.U64(0, 0);
  });
}

StatusOr<std::vector<RecordedEvent>> PostgresEventStore::ReadStream(const std::string& stream_id, uint64_t from_version,
                                                                    size_t max_count) {
  if (from_version == 0) return InvalidArgument("stream versions start at 1");
  return WithConnection([&](PgConnection& c) -> StatusOr<std::vector<RecordedEvent>> {
    RELAIS_ASSIGN_OR_RETURN(PgResult r,
                            c.Exec("SELECT position, envelope FROM relais_events WHERE stream_id = $1 "
                                   "AND version >= $2 ORDER BY version LIMIT $3",
                                   {PgParam::Text(stream_id), PgParam::Int(from_version), PgParam::Int(max_count)}));
    return DecodeRows(r);
  });
}

StatusOr<LogPage> PostgresEventStore::ReadAll(uint64_t from_position, size_t max_count) {
  if (from_position == 0) return InvalidArgument("global positions start at 1");
  // The held run first; the rest, if any is committed, from the database.
  const uint64_t last = LastPosition();
  LogPage page;
  page.events = recent_.Take(from_position, max_count, last);
  page.next_position = page.events.empty() ? from_position : page.events.back().position + 1;
  if (page.events.size() == max_count || (!page.events.empty() && page.next_position > last)) return page;
  auto read = WithConnection([&](PgConnection& c) -> StatusOr<std::vector<RecordedEvent>> {
    RELAIS_ASSIGN_OR_RETURN(PgResult r,
                            c.Exec("SELECT position, envelope FROM relais_events WHERE position >= $1 "
                                   "ORDER BY position LIMIT $2",
                                   {PgParam::Int(page.next_position), PgParam::Int(max_count - page.events.size())}));
    return DecodeRows(r);
  });
  if (!read.ok()) return read.status();
  for (RecordedEvent& e : *read) page.events.push_back(std::move(e));
  if (!page.events.empty()) page.next_position = page.events.back().position + 1;
  return page;
}

StatusOr<std::optional<EventLocation>> PostgresEventStore::LookupEvent(const std::string& event_id) {
  return WithConnection([&](PgConnection& c) -> StatusOr<std::optional<EventLocation>> {
    RELAIS_ASSIGN_OR_RETURN(PgResult r, c.Exec("SELECT stream_id, version, position FROM relais_events WHERE "
                                               "event_id = $1",
                                               {PgParam::Text(event_id)}));
    if (r.rows() == 0) return std::optional<EventLocation>();
    return std::optional<EventLocation>(EventLocation{std::string(r.Bytes(0, 0)), r.U64(0, 1), r.U64(0, 2)});
  });
}

Status PostgresEventStore::SaveSnapshot(const std::string& stream_id, const Snapshot& snapshot) {
  RELAIS_ASSIGN_OR_RETURN(uint64_t current, StreamVersion(stream_id));
  if (snapshot.version == 0 || snapshot.version > current)
    return InvalidArgument("snapshot at version " + std::to_string(snapshot.version) + " of stream '" + stream_id +
                           "' which is at version " + std::to_string(current));
  std::vector<PgStatement> upsert;
  AppendSnapshotStatement({{stream_id, snapshot}}, upsert);
  return WithConnection([&](PgConnection& c) -> StatusOr<bool> {
           RELAIS_RETURN_IF_ERROR(c.Exec(upsert[0].sql, upsert[0].params).status());
           return true;
         })
      .status();
}

StatusOr<std::optional<Snapshot>> PostgresEventStore::LoadSnapshot(const std::string& stream_id) {
  return WithConnection([&](PgConnection& c) -> StatusOr<std::optional<Snapshot>> {
    RELAIS_ASSIGN_OR_RETURN(
        PgResult r, c.Exec("SELECT value FROM relais_snapshots WHERE stream_id = $1", {PgParam::Text(stream_id)}));
    if (r.rows() == 0) return std::optional<Snapshot>();
    RELAIS_ASSIGN_OR_RETURN(Snapshot s, codec::DecodeSnapshot(r.Bytes(0, 0)));
    return std::optional<Snapshot>(std::move(s));
  });
}

Status PostgresEventStore::KvWrite(const KvWrites& writes) {
  if (writes.empty()) return Status::Ok();
  KvChanges changes;  // applied in order: a key's last operation is what stays
  for (const auto& op : writes.ops) changes[op.key] = op.value;
  std::vector<PgStatement> statements;
  AppendKvStatements(changes, statements);
  return WithConnection([&](PgConnection& c) -> StatusOr<bool> {
           if (!writes.fence) {
             // One round trip: a pipeline without BEGIN is one implicit transaction.
             RELAIS_RETURN_IF_ERROR(c.Pipeline(statements).status());
             return true;
           }
           RELAIS_RETURN_IF_ERROR(c.Exec("BEGIN").status());
           auto rollback = [&](Status s) {
             (void)c.Exec("ROLLBACK");
             return s;
           };
           // FOR SHARE: a new holder's take-over (an UPDATE of this row)
           // waits for this transaction, so the token checked stays the
           // lease's until the writes commit.
           auto row = c.Exec("SELECT token FROM relais_leases WHERE name = $1 FOR SHARE",
                             {PgParam::Text(writes.fence->lease)});
           if (!row.ok()) return rollback(row.status());
           const uint64_t current = row->rows() == 0 ? 0 : row->U64(0, 0);
           if (current != writes.fence->token) return rollback(StaleFence(*writes.fence, current));
           std::vector<PgStatement> commit = statements;
           commit.push_back({"COMMIT", {}});
           size_t failed_at = 0;
           if (auto done = c.Pipeline(commit, &failed_at); !done.ok())
             return failed_at + 1 < commit.size() && c.ok() ? rollback(done.status()) : done.status();
           return true;
         })
      .status();
}

StatusOr<LeaseGrant> PostgresEventStore::AcquireLease(const std::string& lease, const std::string& holder,
                                                      std::chrono::milliseconds ttl) {
  RELAIS_RETURN_IF_ERROR(ValidateLeaseRequest(lease, holder, ttl));
  // On the database's clock, one for every node. The token grows unless the
  // holder renews a lease still live.
  static constexpr const char* kTake =
      "INSERT INTO relais_leases AS l (name, holder, token, expires_at) "
      "VALUES ($1, $2, 1, clock_timestamp() + $3::float8 * interval '1 millisecond') "
      "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at, "
      "token = CASE WHEN l.holder = excluded.holder AND l.expires_at > clock_timestamp() THEN l.token "
      "ELSE l.token + 1 END "
      "WHERE l.holder = excluded.holder OR l.expires_at <= clock_timestamp() "
      "RETURNING token";
  return WithConnection([&](PgConnection& c) -> StatusOr<LeaseGrant> {
    RELAIS_ASSIGN_OR_RETURN(PgResult taken,
                            c.Exec(kTake, {PgParam::Text(lease), PgParam::Text(holder), PgParam::Int(ttl.count())}));
    if (taken.rows() == 1) return LeaseGrant{true, taken.U64(0, 0), holder};
    RELAIS_ASSIGN_OR_RETURN(PgResult held,
                            c.Exec("SELECT holder FROM relais_leases WHERE name = $1", {PgParam::Text(lease)}));
    return LeaseGrant{false, 0, held.rows() == 1 ? std::string(held.Bytes(0, 0)) : std::string()};
  });
}

Status PostgresEventStore::ReleaseLease(const std::string& lease, const std::string& holder) {
  return WithConnection([&](PgConnection& c) -> StatusOr<bool> {
           RELAIS_RETURN_IF_ERROR(c.Exec("UPDATE relais_leases SET expires_at = '-infinity' "
                                         "WHERE name = $1 AND holder = $2",
                                         {PgParam::Text(lease), PgParam::Text(holder)})
                                      .status());
           return true;
         })
      .status();
}

StatusOr<std::optional<std::string>> PostgresEventStore::KvGet(const std::string& key) {
  return WithConnection([&](PgConnection& c) -> StatusOr<std::optional<std::string>> {
    RELAIS_ASSIGN_OR_RETURN(PgResult r, c.Exec("SELECT value FROM relais_kv WHERE key = $1", {PgParam::Bytes(key)}));
    if (r.rows() == 0) return std::optional<std::string>();
    return std::optional<std::string>(std::string(r.Bytes(0, 0)));
  });
}

StatusOr<std::vector<KvEntry>> PostgresEventStore::KvScan(const std::string& prefix, const std::string& start_after,
                                                          size_t max_count) {
  return WithConnection([&](PgConnection& c) -> StatusOr<std::vector<KvEntry>> {
    // Keys compare as bytes (bytea): from the prefix, or after start_after.
    const bool after = start_after > prefix;
    RELAIS_ASSIGN_OR_RETURN(PgResult r,
                            c.Exec(after ? "SELECT key, value FROM relais_kv WHERE key > $1 ORDER BY key LIMIT $2"
                                         : "SELECT key, value FROM relais_kv WHERE key >= $1 ORDER BY key LIMIT $2",
                                   {PgParam::Bytes(after ? start_after : prefix), PgParam::Int(max_count)}));
    std::vector<KvEntry> out;
    for (int i = 0; i < r.rows(); ++i) {
      std::string key(r.Bytes(i, 0));
      if (!key.starts_with(prefix)) break;
      out.push_back({std::move(key), std::string(r.Bytes(i, 1))});
    }
    return out;
  });
}

StoreStats PostgresEventStore::Stats() const { return {LastPosition(), appends_.load(), commit_groups_.load(), 0, 0}; }

Status PostgresEventStore::Writable() const {
  std::lock_guard lock(health_mu_);
  return health_;
}

}  // namespace relais
