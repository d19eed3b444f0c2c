#include "engine/store/writer_first_rwlock.h"

#include <cerrno>
#include <system_error>

namespace relais {
namespace {

void Check(int rc, const char* what) {
  if (rc != 0) throw std::system_error(rc, std::generic_category(), what);  // programmer error only
}

}  // namespace

WriterFirstRwLock::WriterFirstRwLock() {
  pthread_rwlockattr_t attr;
  Check(pthread_rwlockattr_init(&attr), "pthread_rwlockattr_init");
#ifdef __GLIBC__
  // glibc's default kind prefers readers; this one queues new readers behind
  // a waiting writer (other C libraries' default already does).
  Check(pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP),
        "pthread_rwlockattr_setkind_np");
#endif
  Check(pthread_rwlock_init(&lock_, &attr), "pthread_rwlock_init");
  pthread_rwlockattr_destroy(&attr);
}

WriterFirstRwLock::~WriterFirstRwLock() { pthread_rwlock_destroy(&lock_); }

void WriterFirstRwLock::lock() { Check(pthread_rwlock_wrlock(&lock_), "pthread_rwlock_wrlock"); }
bool WriterFirstRwLock::try_lock() { return pthread_rwlock_trywrlock(&lock_) == 0; }
void WriterFirstRwLock::unlock() { pthread_rwlock_unlock(&lock_); }

void WriterFirstRwLock::lock_shared() {
  int rc;
  while ((rc = pthread_rwlock_rdlock(&lock_)) == EAGAIN) {
  }  // EAGAIN: the maximum number of readers; one will leave
  Check(rc, "pthread_rwlock_rdlock");
}
bool WriterFirstRwLock::try_lock_shared() { return pthread_rwlock_tryrdlock(&lock_) == 0; }
void WriterFirstRwLock::unlock_shared() { pthread_rwlock_unlock(&lock_); }

}  // namespace relais
