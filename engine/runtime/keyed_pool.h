// KeyedPool: threads that run work handed over under a key (TimerService
// fires the due timers of each stream through it). The work of one key runs
// one item at a time, in the order it was submitted; the work of different
// keys runs on up to `threads` threads at once, so their durable appends
// share group commits. The threads are started once and live as long as the
// pool (no thread is created per burst).
//
// Thread-safety: Submit and Wait are safe from any thread; the destructor
// waits for the work submitted, then joins the threads.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace relais::runtime {

class KeyedPool {
 public:
  // REQUIRES: threads >= 1.
  explicit KeyedPool(size_t threads);
  ~KeyedPool();
  KeyedPool(const KeyedPool&) = delete;
  KeyedPool& operator=(const KeyedPool&) = delete;

  // Runs work after the work submitted earlier under the same key.
  void Submit(const std::string& key, std::function<void()> work);
  // Returns once every work submitted before the call has run.
  void Wait();

  size_t threads() const { return threads_.size(); }

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable ready_cv_;                                           // a key became ready, or stop
  std::condition_variable idle_cv_;                                            // pending_ reached 0
  std::deque<std::string> ready_;                                              // keys with work queued and none running
  std::unordered_map<std::string, std::deque<std::function<void()>>> queued_;  // key -> work not started
  std::unordered_set<std::string> running_;                                    // keys with work running
  size_t pending_ = 0;                                                         // submitted and not finished
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace relais::runtime
