// MemoryEventStore: an EventStore held in process memory, for fast unit tests
// of everything built on the store. Same contract as RocksDbEventStore (one
// shared contract suite runs on both); nothing survives the object.
//
// Thread-safety: safe for concurrent access from multiple threads without any
// external synchronization. Append callbacks run on the appending thread.
#pragma once

#include <map>
#include <mutex>
#include <unordered_map>

#include "engine/store/codec.h"
#include "engine/store/commit_listeners.h"
#include "engine/store/event_store.h"
#include "engine/store/local_leases.h"
#include "engine/util/clock.h"

namespace relais {

class MemoryEventStore final : public EventStore {
 public:
  // *clock must outlive the store.
  explicit MemoryEventStore(const Clock& clock = SystemClock::Instance(), EventLimits limits = {});

  void AppendAsync(AppendRequest request, AppendCallback done) override;
  StatusOr<uint64_t> StreamVersion(const std::string& stream_id) override;
  StatusOr<std::vector<RecordedEvent>> ReadStream(const std::string& stream_id, uint64_t from_version,
                                                  size_t max_count) override;
  StatusOr<LogPage> ReadAll(uint64_t from_position, size_t max_count) override;
  StatusOr<std::optional<EventLocation>> LookupEvent(const std::string& event_id) override;
  uint64_t LastPosition() const override;
  Subscription Subscribe(CommitListener listener) override;
  Status SaveSnapshot(const std::string& stream_id, const Snapshot& snapshot) override;
  StatusOr<std::optional<Snapshot>> LoadSnapshot(const std::string& stream_id) override;
  Status KvWrite(const KvWrites& writes) override;
  StatusOr<std::optional<std::string>> KvGet(const std::string& key) override;
  StatusOr<std::vector<KvEntry>> KvScan(const std::string& prefix, const std::string& start_after,
                                        size_t max_count) override;
  StatusOr<LeaseGrant> AcquireLease(const std::string& lease, const std::string& holder,
                                    std::chrono::milliseconds ttl) override {
    return leases_.Acquire(lease, holder, ttl);
  }
  Status ReleaseLease(const std::string& lease, const std::string& holder) override {
    return leases_.Release(lease, holder);
  }
  StoreStats Stats() const override;
  Status Writable() const override { return Status::Ok(); }  // memory never fails a write

 private:
  StatusOr<AppendResult> AppendLocked(AppendRequest& request);

  const Clock& clock_;
  const EventLimits limits_;
  mutable std::mutex mu_;
  std::vector<RecordedEvent> log_;                                  // log_[p - 1] has position p
  std::unordered_map<std::string, std::vector<uint64_t>> streams_;  // positions by version - 1
  std::unordered_map<std::string, EventLocation> event_ids_;
  std::unordered_map<std::string, Snapshot> snapshots_;
  std::map<std::string, std::string> kv_;
  uint64_t appends_ = 0;
  CommitListeners listeners_;
  LocalLeases leases_;
};

}  // namespace relais
