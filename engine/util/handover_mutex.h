// HandoverMutex: a mutex whose next owner may be a continuation instead of a
// blocked thread, so that work holding it can span an asynchronous wait (a
// command holds its project's lock from its decision to its durable commit
// without a thread waiting for the fsync).
//
//   - lock() / unlock() / try_lock(): Lockable, as std::mutex (std::lock_guard
//     works). unlock() may be called from another thread than lock().
//   - LockThen(owner, post): owner runs holding the mutex: at once, on the
//     calling thread, when the mutex is free; otherwise the unlock() that
//     hands it over calls post(owner), which must run it elsewhere (an
//     executor), never inline under the unlocking caller's locks. owner (or
//     what it starts) must call unlock() exactly once.
//
// Waiters, blocked or continuations, are served in arrival order. The mutex
// is not recursive.
//
// Thread-safety: safe for concurrent access from multiple threads without
// any external synchronization.
#pragma once

#include <condition_variable>
#include <functional>
#include <list>
#include <mutex>

namespace relais {

class HandoverMutex {
 public:
  using Task = std::function<void()>;
  using Post = std::function<void(Task)>;

  HandoverMutex() = default;
  HandoverMutex(const HandoverMutex&) = delete;
  HandoverMutex& operator=(const HandoverMutex&) = delete;

  void lock();
  bool try_lock();
  void unlock();

  // REQUIRES: *post outlives the wait (it is called by a later unlock()).
  void LockThen(Task owner, const Post* post);

 private:
  struct Waiter {
    Task owner;                             // a continuation, run through *post
    const Post* post = nullptr;             //
    std::condition_variable* cv = nullptr;  // or a blocked thread, woken
    bool* granted = nullptr;
  };

  std::mutex mu_;
  bool held_ = false;
  std::list<Waiter> waiters_;  // a list: no allocation while nobody waits
};

}  // namespace relais
