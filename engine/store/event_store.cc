#include "engine/store/event_store.h"

#include <condition_variable>
#include <optional>
#include <semaphore>
#include <mutex>

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
  // One waiter on this stack frame; the callback runs exactly once.
  std::optional<StatusOr<AppendResult>> result;
  std::binary_semaphore ready(0);
  AppendAsync(std::move(request), [&](StatusOr<AppendResult> r) {
    result.emplace(std::move(r));
    ready.release();
  });
  ready.acquire();
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
