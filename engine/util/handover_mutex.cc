#include "engine/util/handover_mutex.h"

#include <utility>

namespace relais {

void HandoverMutex::lock() {
  std::unique_lock guard(mu_);
  if (!held_) {
    held_ = true;
    return;
  }
  std::condition_variable cv;
  bool granted = false;
  waiters_.push_back(Waiter{{}, nullptr, &cv, &granted});
  cv.wait(guard, [&] { return granted; });
}

bool HandoverMutex::try_lock() {
  std::lock_guard guard(mu_);
  if (held_) return false;
  held_ = true;
  return true;
}

void HandoverMutex::unlock() {
  std::unique_lock guard(mu_);
  if (waiters_.empty()) {
    held_ = false;
    return;
  }
  // The mutex stays held: it passes to the first waiter.
  Waiter next = std::move(waiters_.front());
  waiters_.pop_front();
  if (next.cv) {
    // Notified under mu_: the waiter cannot return (and destroy its
    // condition variable) before mu_ is released.
    *next.granted = true;
    next.cv->notify_one();
    return;
  }
  guard.unlock();
  (*next.post)(std::move(next.owner));
}

void HandoverMutex::LockThen(Task owner, const Post* post) {
  {
    std::lock_guard guard(mu_);
    if (held_) {
      waiters_.push_back(Waiter{std::move(owner), post, nullptr, nullptr});
      return;
    }
    held_ = true;
  }
  owner();
}

}  // namespace relais
