// FaultInjectingEventStore: wraps another EventStore and fails chosen appends
// (before they reach it) so the layers above can be tested against I/O errors
// without a faulty disk. Reads pass through.
//
// Thread-safety: safe for concurrent access from multiple threads without any
// external synchronization. *base must outlive this wrapper.
#pragma once

#include <mutex>

#include "engine/store/forwarding_event_store.h"

namespace relais {

class FaultInjectingEventStore final : public ForwardingEventStore {
 public:
  explicit FaultInjectingEventStore(EventStore& base) : ForwardingEventStore(base) {}

  // The next `count` appends fail with `error` and write nothing.
  void FailNextAppends(size_t count, Status error = Unavailable("injected I/O error"));
  // Appends fail with `error` until Heal().
  void FailAllAppends(Status error = Unavailable("injected I/O error"));
  void Heal();
  size_t injected_failures() const;

  void AppendAsync(AppendRequest request, AppendCallback done) override;
  Status KvWrite(const KvWrites& w) override;
  // The injected error while FailAllAppends holds, else the base's answer.
  Status Writable() const override;

 private:
  // Returns the error to inject for this write, or OK.
  Status NextFault();

  mutable std::mutex mu_;
  size_t fail_next_ = 0;
  bool fail_all_ = false;
  Status error_;
  size_t injected_ = 0;
};

}  // namespace relais
