// WriterFirstRwLock: a readers-writer lock that lets a waiting writer in
// before readers that come after it.
//
// Why: std::shared_mutex on glibc is a pthread rwlock that prefers readers,
// so a steady stream of reads can keep a writer out for as long as it lasts
// (the store's reopen after an I/O error waited 9 s behind four reading
// threads). Here a writer waits only for the reads already in progress.
//
// Meets the Lockable and SharedLockable requirements (use it with
// std::unique_lock and std::shared_lock). REQUIRES: a thread holding it in
// shared mode does not take it again, in any mode (with a writer waiting,
// that would wait for good).
//
// Thread-safety: safe for concurrent access from multiple threads without any
// external synchronization.
#pragma once

#include <pthread.h>

namespace relais {

class WriterFirstRwLock {
 public:
  WriterFirstRwLock();
  ~WriterFirstRwLock();
  WriterFirstRwLock(const WriterFirstRwLock&) = delete;
  WriterFirstRwLock& operator=(const WriterFirstRwLock&) = delete;

  void lock();
  bool try_lock();
  void unlock();
  void lock_shared();
  // False while a writer holds it or waits for it.
  bool try_lock_shared();
  void unlock_shared();

 private:
  pthread_rwlock_t lock_;
};

}  // namespace relais
