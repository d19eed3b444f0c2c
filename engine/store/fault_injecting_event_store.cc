#include "engine/store/fault_injecting_event_store.h"

namespace relais {

void FaultInjectingEventStore::FailNextAppends(size_t count, Status error) {
  std::lock_guard lock(mu_);
  fail_next_ = count;
  error_ = std::move(error);
}

void FaultInjectingEventStore::FailAllAppends(Status error) {
  std::lock_guard lock(mu_);
  fail_all_ = true;
  error_ = std::move(error);
}

void FaultInjectingEventStore::Heal() {
  std::lock_guard lock(mu_);
  fail_all_ = false;
  fail_next_ = 0;
}

size_t FaultInjectingEventStore::injected_failures() const {
  std::lock_guard lock(mu_);
  return injected_;
}

Status FaultInjectingEventStore::NextFault() {
  std::lock_guard lock(mu_);
  if (!fail_all_ && fail_next_ == 0) return Status::Ok();
  if (!fail_all_) --fail_next_;
  ++injected_;
  return error_;
}

Status FaultInjectingEventStore::Writable() const {
  {
    std::lock_guard lock(mu_);
    if (fail_all_) return error_;
  }
  return base_.Writable();
}

void FaultInjectingEventStore::AppendAsync(AppendRequest request, AppendCallback done) {
  Status fault = NextFault();
  if (!fault.ok()) return done(fault);
  base_.AppendAsync(std::move(request), std::move(done));
}

Status FaultInjectingEventStore::KvWrite(const KvWrites& writes) {
  Status fault = NextFault();
  if (!fault.ok()) return fault;
  return base_.KvWrite(writes);
}

}  // namespace relais
