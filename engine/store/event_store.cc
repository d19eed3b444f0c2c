#include "engine/store/event_store.h"

#include <condition_variable>
#include <mutex>
#include <optional>

namespace relais {

bool ExpectedVersion::Matches(uint64_t current) const {
  switch (kind_) {
    case Kind::kAny: return true;
    case Kind::kNoStream: return current == 0;
    case Kind::kExact: return current == version_;
  }
  return false;
}

std::string ExpectedVersion::ToString() const {
  switch (kind_) {
    case Kind::kAny: return "any";
    case Kind::kNoStream: return "no stream";
    case Kind::kExact: return "version " + std::to_string(version_);
  }
  return "?";
}

StatusOr<AppendResult> EventStore::Append(AppendRequest request) {
  // One waiter on this stack frame; the callback runs exactly once. A mutex
  // and condition variable sleep in the kernel at once, where a semaphore
  // spins and yields first: with dozens of appenders on two cores that
  // spinning takes the CPU the committer needs.
  std::optional<StatusOr<AppendResult>> result;
  std::mutex mu;
  std::condition_variable ready;
  AppendAsync(std::move(request), [&](StatusOr<AppendResult> r) {
    std::lock_guard lock(mu);
    result.emplace(std::move(r));
    ready.notify_one();
  });
  std::unique_lock lock(mu);
  ready.wait(lock, [&] { return result.has_value(); });
  return std::move(*result);
}

StatusOr<AppendResult> EventStore::Append(std::string stream_id, ExpectedVersion expected,
                                          std::vector<NewEvent> events) {
  AppendRequest request;
  request.stream_id = std::move(stream_id);
  request.expected = expected;
  request.events = std::move(events);
  return Append(std::move(request));
}

bool EventStore::WaitForPosition(uint64_t position, std::chrono::milliseconds timeout) {
  if (LastPosition() >= position) return true;
  struct Shared {
    std::mutex mu;
    std::condition_variable cv;
  };
  auto shared = std::make_shared<Shared>();
  Subscription sub = Subscribe([shared](uint64_t) {
    std::lock_guard lock(shared->mu);
    shared->cv.notify_all();
  });
  std::unique_lock lock(shared->mu);
  return shared->cv.wait_for(lock, timeout, [&] { return LastPosition() >= position; });
}

}  // namespace relais
