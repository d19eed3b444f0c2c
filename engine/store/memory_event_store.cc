#include "engine/store/memory_event_store.h"

#include "engine/store/append_rules.h"

namespace relais {
namespace {

void ApplyKv(std::map<std::string, std::string>& kv, const KvWrites& writes) {
  for (const auto& op : writes.ops) {
    if (op.value)
      kv[op.key] = *op.value;
    else
      kv.erase(op.key);
  }
}

}  // namespace

MemoryEventStore::MemoryEventStore(const Clock& clock, EventLimits limits) : clock_(clock), limits_(limits) {}

void MemoryEventStore::AppendAsync(AppendRequest request, AppendCallback done) {
  Status valid = ValidateAppendRequest(request, limits_);
  if (!valid.ok()) return done(valid);
  StatusOr<AppendResult> result = Status(Internal("unset"));
  uint64_t last = 0;
  {
    std::lock_guard lock(mu_);
    result = AppendLocked(request);
    last = log_.size();
  }
  if (result.ok() && !result->deduplicated) listeners_.Notify(last);
  done(std::move(result));
}

StatusOr<AppendResult> MemoryEventStore::AppendLocked(AppendRequest& request) {
  auto it = streams_.find(request.stream_id);
  uint64_t current = it == streams_.end() ? 0 : it->second.size();
  auto lookup = [this](const std::string& id) -> StatusOr<std::optional<EventLocation>> {
    auto found = event_ids_.find(id);
    if (found == event_ids_.end()) return std::optional<EventLocation>();
    return std::optional<EventLocation>(found->second);
  };
  RELAIS_ASSIGN_OR_RETURN(auto dedup, DecideAppend(request, current, lookup));
  if (dedup) return *dedup;

  TimePoint now = request.recorded_at.value_or(clock_.Now());
  std::vector<std::string> texts;
  texts.reserve(request.events.size());
  for (NewEvent& e : request.events) {  // the request is ours: its texts are moved, not copied
    texts.push_back(e.data_json.empty() ? DumpJson(e.data) : std::move(e.data_json));
    RELAIS_RETURN_IF_ERROR(
        CheckEventSize(e, codec::EncodedEventSize(e, request.stream_id, texts.back().size()), limits_));
  }
  AppendResult r;
  r.first_version = current + 1;
  r.last_version = current + request.events.size();
  r.first_position = log_.size() + 1;
  r.last_position = log_.size() + request.events.size();
  r.recorded_at = now;
  auto& positions = streams_[request.stream_id];
  for (size_t i = 0; i < request.events.size(); ++i) {
    NewEvent& e = request.events[i];
    RecordedEvent rec;
    rec.stream_id = request.stream_id;
    rec.version = positions.size() + 1;
    rec.position = log_.size() + 1;
    rec.event_id = e.event_id;
    rec.type = std::move(e.type);
    rec.data_json = std::move(texts[i]);
    rec.metadata = std::move(e.metadata);
    rec.metadata.recorded_at = now;
    rec.schema_version = e.schema_version;
    event_ids_[rec.event_id] = {rec.stream_id, rec.version, rec.position};
    positions.push_back(rec.position);
    log_.push_back(std::move(rec));
  }
  KvWrites side = std::move(request.side_writes);
  if (request.attach) request.attach(r, side);
  ApplyKv(kv_, side);
  if (request.snapshot) snapshots_[request.stream_id] = std::move(*request.snapshot);
  ++appends_;
  return r;
}

StatusOr<uint64_t> MemoryEventStore::StreamVersion(const std::string& stream_id) {
  std::lock_guard lock(mu_);
  auto it = streams_.find(stream_id);
  return it == streams_.end() ? uint64_t{0} : uint64_t{it->second.size()};
}

StatusOr<std::vector<RecordedEvent>> MemoryEventStore::ReadStream(const std::string& stream_id, uint64_t from_version,
                                                                  size_t max_count) {
  if (from_version == 0) return InvalidArgument("stream versions start at 1");
  std::lock_guard lock(mu_);
  std::vector<RecordedEvent> out;
  auto it = streams_.find(stream_id);
  if (it == streams_.end()) return out;
  for (uint64_t v = from_version; v <= it->second.size() && out.size() < max_count; ++v)
    out.push_back(log_[it->second[v - 1] - 1]);
  return out;
}

StatusOr<LogPage> MemoryEventStore::ReadAll(uint64_t from_position, size_t max_count) {
  if (from_position == 0) return InvalidArgument("global positions start at 1");
  std::lock_guard lock(mu_);
  LogPage page;
  uint64_t p = from_position;
  for (; p <= log_.size() && page.events.size() < max_count; ++p) page.events.push_back(log_[p - 1]);
  page.next_position = p;
  return page;
}

StatusOr<std::optional<EventLocation>> MemoryEventStore::LookupEvent(const std::string& event_id) {
  std::lock_guard lock(mu_);
  auto it = event_ids_.find(event_id);
  if (it == event_ids_.end()) return std::optional<EventLocation>();
  return std::optional<EventLocation>(it->second);
}

uint64_t MemoryEventStore::LastPosition() const {
  std::lock_guard lock(mu_);
  return log_.size();
}

EventStore::Subscription MemoryEventStore::Subscribe(CommitListener listener) {
  return listeners_.Add(std::move(listener));
}

Status MemoryEventStore::SaveSnapshot(const std::string& stream_id, const Snapshot& snapshot) {
  std::lock_guard lock(mu_);
  auto it = streams_.find(stream_id);
  uint64_t current = it == streams_.end() ? 0 : it->second.size();
  if (snapshot.version == 0 || snapshot.version > current)
    return InvalidArgument("snapshot at version " + std::to_string(snapshot.version) + " of stream '" + stream_id +
                           "' which is at version " + std::to_string(current));
  auto& slot = snapshots_[stream_id];
  if (slot.version < snapshot.version) slot = snapshot;
  return Status::Ok();
}

StatusOr<std::optional<Snapshot>> MemoryEventStore::LoadSnapshot(const std::string& stream_id) {
  std::lock_guard lock(mu_);
  auto it = snapshots_.find(stream_id);
  if (it == snapshots_.end()) return std::optional<Snapshot>();
  return std::optional<Snapshot>(it->second);
}

Status MemoryEventStore::KvWrite(const KvWrites& writes) {
  return leases_.Fenced(writes.fence, [&] {
    std::lock_guard lock(mu_);
    ApplyKv(kv_, writes);
    return Status::Ok();
  });
}

StatusOr<std::optional<std::string>> MemoryEventStore::KvGet(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = kv_.find(key);
  if (it == kv_.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

StatusOr<std::vector<KvEntry>> MemoryEventStore::KvScan(const std::string& prefix, const std::string& start_after,
                                                        size_t max_count) {
  std::lock_guard lock(mu_);
  std::vector<KvEntry> out;
  auto it = start_after > prefix ? kv_.upper_bound(start_after) : kv_.lower_bound(prefix);
  for (; it != kv_.end() && out.size() < max_count && it->first.starts_with(prefix); ++it)
    out.push_back({it->first, it->second});
  return out;
}

StoreStats MemoryEventStore::Stats() const {
  std::lock_guard lock(mu_);
  return {log_.size(), appends_, appends_, 0};
}

}  // namespace relais
