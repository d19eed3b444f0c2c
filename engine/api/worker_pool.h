// WorkerPool: a fixed number of threads running queued tasks, with a bounded
// queue. Service calls block (a durable append waits for its fsync), so the
// API runs them here instead of on the HTTP I/O threads; a full queue is
// refused at once (the caller answers 503) rather than growing without bound.
//
// Thread-safety: safe for concurrent access from multiple threads without
// any external synchronization; Stop and the destructor must not be called
// from a task.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace relais::api {

class WorkerPool {
 public:
  // REQUIRES: threads >= 1, queue_limit >= 1.
  WorkerPool(size_t threads, size_t queue_limit);
  // Runs the tasks already queued, then joins the threads.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues task. Returns false (task not queued) when queue_limit tasks are
  // already waiting or the pool is stopping.
  bool TrySubmit(std::function<void()> task);

  // Stops taking tasks, runs those queued, joins the threads. Idempotent.
  void Stop();

  size_t queued() const;

 private:
  void Run();

  const size_t queue_limit_;
  std::mutex stop_mu_;  // one Stop joins at a time
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace relais::api
