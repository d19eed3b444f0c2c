#include "engine/store/store_health.h"

namespace relais {

Status StoreHealth::Writable() const {
  std::lock_guard lock(mu_);
  return reason_;
}

bool StoreHealth::failed() const {
  std::lock_guard lock(mu_);
  return !reason_.ok();
}

bool StoreHealth::MarkFailed(const Status& reason) {
  std::lock_guard lock(mu_);
  const bool was_writable = reason_.ok();
  reason_ = Unavailable(reason.message());
  ++generation_;
  last_failure_ = std::chrono::steady_clock::now();
  return was_writable;
}

uint64_t StoreHealth::generation() const {
  std::lock_guard lock(mu_);
  return generation_;
}

std::chrono::steady_clock::time_point StoreHealth::last_failure() const {
  std::lock_guard lock(mu_);
  return last_failure_;
}

bool StoreHealth::MarkRecoveredIf(uint64_t seen) {
  std::lock_guard lock(mu_);
  if (generation_ != seen || reason_.ok()) return false;
  reason_ = Status::Ok();
  return true;
}

}  // namespace relais
