#include "engine/runtime/keyed_pool.h"
#include "engine/util/thread_name.h"

namespace relais::runtime {

KeyedPool::KeyedPool(size_t threads) {
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; ++i)
    threads_.emplace_back([this] {
      SetThreadName("keyed-pool");
      Run();
    });
}

KeyedPool::~KeyedPool() {
  Wait();
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  ready_cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void KeyedPool::Submit(const std::string& key, std::function<void()> work) {
  {
    std::lock_guard lock(mu_);
    auto& queue = queued_[key];
    queue.push_back(std::move(work));
    ++pending_;
    // A key with work running is made ready again when that work ends.
    if (queue.size() == 1 && !running_.count(key)) ready_.push_back(key);
  }
  ready_cv_.notify_one();
}

void KeyedPool::Wait() {
  std::unique_lock lock(mu_);
  idle_cv_.wait(lock, [&] { return pending_ == 0; });
}

void KeyedPool::Run() {
  std::unique_lock lock(mu_);
  while (true) {
    ready_cv_.wait(lock, [&] { return stop_ || !ready_.empty(); });
    if (ready_.empty()) return;  // stopping
    std::string key = std::move(ready_.front());
    ready_.pop_front();
    auto it = queued_.find(key);
    std::function<void()> work = std::move(it->second.front());
    it->second.pop_front();
    running_.insert(key);
    lock.unlock();
    work();
    work = nullptr;  // what it captured goes before the next is taken
    lock.lock();
    running_.erase(key);
    it = queued_.find(key);
    if (it->second.empty()) {
      queued_.erase(it);
    } else {
      ready_.push_back(std::move(key));
      ready_cv_.notify_one();
    }
    if (--pending_ == 0) idle_cv_.notify_all();
  }
}

}  // namespace relais::runtime
