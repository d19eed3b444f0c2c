// FaultInjectingEventStore: wraps another EventStore and fails chosen appends
// (before they reach it) so the layers above can be tested against I/O errors
// without a faulty disk. Reads pass through.
//
// Thread-safety: safe for concurrent access from multiple threads without any
// external synchronization. *base must outlive this wrapper.
#pragma once

#include <mutex>

#include "engine/store/event_store.h"

namespace relais {

class FaultInjectingEventStore final : public EventStore {
 public:
  explicit FaultInjectingEventStore(EventStore& base) : base_(base) {}

  // The next `count` appends fail with `error` and write nothing.
  void FailNextAppends(size_t count, Status error = Unavailable("injected I/O error"));
  // Appends fail with `error` until Heal().
  void FailAllAppends(Status error = Unavailable("injected I/O error"));
  void Heal();
  size_t injected_failures() const;

  void AppendAsync(AppendRequest request, AppendCallback done) override;
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
  Status KvWrite(const KvWrites& w) override;
  StatusOr<std::optional<std::string>> KvGet(const std::string& k) override { return base_.KvGet(k); }
  StatusOr<std::vector<KvEntry>> KvScan(const std::string& p, const std::string& after, size_t n) override {
    return base_.KvScan(p, after, n);
  }
  StoreStats Stats() const override { return base_.Stats(); }
  // The injected error while FailAllAppends holds, else the base's answer.
  Status Writable() const override;

 private:
  // Returns the error to inject for this write, or OK.
  Status NextFault();

  EventStore& base_;
  mutable std::mutex mu_;
  size_t fail_next_ = 0;
  bool fail_all_ = false;
  Status error_;
  size_t injected_ = 0;
};

}  // namespace relais
