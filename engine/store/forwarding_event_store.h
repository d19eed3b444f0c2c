// ForwardingEventStore: an EventStore that passes every call to another one.
// A decorator derives from it and overrides only what it changes (the
// FaultInjectingEventStore fails chosen writes; tests hold or step calls).
//
// Thread-safety: as the base's. *base must outlive this object.
#pragma once

#include "engine/store/event_store.h"

namespace relais {

class ForwardingEventStore : public EventStore {
 public:
  explicit ForwardingEventStore(EventStore& base) : base_(base) {}

  void AppendAsync(AppendRequest r, AppendCallback done) override { base_.AppendAsync(std::move(r), std::move(done)); }
  StatusOr<uint64_t> StreamVersion(const std::string& s) override { return base_.StreamVersion(s); }
  StatusOr<std::vector<RecordedEvent>> ReadStream(const std::string& s, uint64_t from, size_t n) override {
    return base_.ReadStream(s, from, n);
  }
  StatusOr<LogPage> ReadAll(uint64_t from, size_t n) override { return base_.ReadAll(from, n); }
  StatusOr<std::optional<EventLocation>> LookupEvent(const std::string& id) override { return base_.LookupEvent(id); }
  uint64_t LastPosition() const override { return base_.LastPosition(); }
  Subscription Subscribe(CommitListener l) override { return base_.Subscribe(std::move(l)); }
  Status SaveSnapshot(const std::string& s, const Snapshot& snap) override { return base_.SaveSnapshot(s, snap); }
  StatusOr<std::optional<Snapshot>> LoadSnapshot(const std::string& s) override { return base_.LoadSnapshot(s); }
  Status KvWrite(const KvWrites& w) override { return base_.KvWrite(w); }
  StatusOr<std::optional<std::string>> KvGet(const std::string& k) override { return base_.KvGet(k); }
  StatusOr<std::vector<KvEntry>> KvScan(const std::string& p, const std::string& after, size_t n) override {
    return base_.KvScan(p, after, n);
  }
  StatusOr<LeaseGrant> AcquireLease(const std::string& l, const std::string& h,
                                    std::chrono::milliseconds ttl) override {
    return base_.AcquireLease(l, h, ttl);
  }
  Status ReleaseLease(const std::string& l, const std::string& h) override { return base_.ReleaseLease(l, h); }
  StoreStats Stats() const override { return base_.Stats(); }
  Status Writable() const override { return base_.Writable(); }

 protected:
  EventStore& base_;
};

}  // namespace relais
