#include "engine/store/kv_write_behind.h"
#include "engine/util/thread_name.h"

namespace relais {

KvWriteBehind::KvWriteBehind(EventStore& store, KvWriteBehindOptions options)
    : store_(store), log_(options.info_log ? *options.info_log : NullLogger()), thread_([this] {
        SetThreadName("kv-write-behind");
        Run();
      }) {}

KvWriteBehind::~KvWriteBehind() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void KvWriteBehind::Submit(KvWrites writes, std::function<void()> then) {
  if (writes.empty()) {
    if (then) then();
    return;
  }
  {
    std::lock_guard lock(mu_);
    if (then) queued_then_.push_back(std::move(then));
    const uint64_t sequence = ++submitted_;
    // Writes under another fence (or none) go in a batch of their own.
    if (queued_.empty() || queued_.back().fence != writes.fence) {
      queued_.emplace_back();
      queued_.back().fence = writes.fence;
    }
    for (auto& op : writes.ops) {
      unwritten_[op.key] = Change{op.value, sequence};
      queued_.back().ops.push_back(std::move(op));
    }
  }
  wake_.notify_one();
}

void KvWriteBehind::Drain() {
  std::unique_lock lock(mu_);
  const uint64_t target = submitted_;
  written_.wait(lock, [&] { return done_ >= target; });
}

std::optional<std::optional<std::string>> KvWriteBehind::Unwritten(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = unwritten_.find(key);
  if (it == unwritten_.end()) return std::nullopt;
  return it->second.value;
}

uint64_t KvWriteBehind::written() const {
  std::lock_guard lock(mu_);
  return done_;
}

size_t KvWriteBehind::pending() const {
  std::lock_guard lock(mu_);
  return unwritten_.size();
}

void KvWriteBehind::Run() {
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [&] { return stop_ || !queued_.empty(); });
    if (queued_.empty()) return;  // stopping, and everything is written
    std::deque<KvWrites> batches = std::move(queued_);
    queued_.clear();
    std::vector<std::function<void()>> then = std::move(queued_then_);
    queued_then_.clear();
    const uint64_t sequence = submitted_;
    lock.unlock();
    for (KvWrites& batch : batches) {
      batch.sync = false;
      if (Status s = store_.KvWrite(batch); !s.ok()) {
        log_.Warn("write-behind dropped a batch it could not write",
                  {{"keys", std::to_string(batch.ops.size())}, {"cause", s.ToString()}});
      }
    }
    for (auto& f : then) f();  // before Drain may return: it covers them
    lock.lock();
    // A key changed again after this batch was taken keeps its newer change.
    for (const KvWrites& batch : batches)
      for (const auto& op : batch.ops) {
        auto it = unwritten_.find(op.key);
        if (it != unwritten_.end() && it->second.sequence <= sequence) unwritten_.erase(it);
      }
    done_ = sequence;
    written_.notify_all();
  }
}

}  // namespace relais
