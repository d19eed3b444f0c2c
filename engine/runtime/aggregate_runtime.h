// AggregateRuntime: the mechanics every kind of aggregate (projects,
// programmes) shares, so that each service keeps only its state model (how
// it loads, folds and decides):
//   - commands on one aggregate run one at a time in this process (striped
//     command locks: contenders queue instead of losing optimistic-
//     concurrency races over and over; the store's expected version still
//     guards against other writers). The locks are HandoverMutexes: an
//     asynchronous command holds its lock from its decision to its commit
//     callback without a thread waiting;
//   - folded aggregates are kept in a bounded LRU (Entry: the service's
//     cached value, e.g. a shared_ptr to a slot), where a newer entry is
//     never replaced by an older one (the service's Merge decides);
//   - append hooks (webhook outbox...) see each append as an AppendInfo (a
//     per-kind description: ProjectAppend, ProgrammeAppend), add side writes, and
//     an error from a hook refuses the append;
//   - Append runs the hooks, then writes the events with their side writes
//     (timers through TimerWrites, idempotency records, snapshots) in one
//     atomic batch; Prepare runs the hooks only, for an asynchronous append.
//
// Thread-safety: safe for concurrent access from multiple threads; hooks
// must be added before the first append.
#pragma once

#include <array>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/store/event_store.h"
#include "engine/util/handover_mutex.h"
#include "engine/util/lru_map.h"

namespace relais::runtime {

// Append hooks over a per-kind description of the append (Append).
template <typename AppendInfo>
using AppendHook = std::function<Status(const AppendInfo& append, KvWrites& writes)>;

template <typename Entry, typename AppendInfo>
class AggregateRuntime {
 public:
  static constexpr size_t kCommandLockStripes = 1024;

  AggregateRuntime(EventStore& store, size_t cache_capacity) : store_(store), cache_(cache_capacity) {}

  // The lock serializing commands on `id` in this process.
  HandoverMutex& CommandLock(const std::string& id) {
    return command_locks_[std::hash<std::string>{}(id) % command_locks_.size()];
  }

  // The cached entry (now the most recently used), if any.
  std::optional<Entry> Find(const std::string& id) {
    std::lock_guard lock(cache_mu_);
    if (Entry* e = cache_.Find(id)) return *e;
    return std::nullopt;
  }

  // Caches `incoming` for id. When an entry is cached already,
  // merge(cached, incoming) updates the cached entry in place (keeping
  // whichever is newer); it runs under the cache's lock and must be short.
  // Returns the entry kept.
  template <typename Merge>
  Entry Remember(const std::string& id, Entry incoming, Merge merge) {
    std::lock_guard lock(cache_mu_);
    if (Entry* cached = cache_.Find(id)) {
      merge(*cached, std::move(incoming));
      return *cached;
    }
    return cache_.Put(id, std::move(incoming));
  }

  // Calls update(entry) on the cached entry, under the cache's lock; false
  // (and no call) when id is not cached.
  template <typename Update>
  bool UpdateIfCached(const std::string& id, Update update) {
    std::lock_guard lock(cache_mu_);
    Entry* cached = cache_.Find(id);
    if (!cached) return false;
    update(*cached);
    return true;
  }

  void Forget(const std::string& id) {
    std::lock_guard lock(cache_mu_);
    cache_.Erase(id);
  }

  // REQUIRES: called before the first append.
  void AddHook(AppendHook<AppendInfo> hook) { hooks_.push_back(std::move(hook)); }

  // Runs the hooks on `append` (each may add side writes; the first error
  // refuses the append and is returned), then appends `request` with
  // `writes` as its side writes. `append` may refer to request's members:
  // request is moved from only after the hooks ran.
  // Errors: the hooks', the store's.
  StatusOr<AppendResult> Append(const AppendInfo& append, AppendRequest&& request, KvWrites writes) {
    RELAIS_RETURN_IF_ERROR(Prepare(append, request, std::move(writes)));
    return store_.Append(std::move(request));
  }

  // Runs the hooks on `append` and sets `writes` (with theirs) as request's
  // side writes; the caller appends it. Errors: the hooks'.
  Status Prepare(const AppendInfo& append, AppendRequest& request, KvWrites writes) {
    for (const AppendHook<AppendInfo>& hook : hooks_) RELAIS_RETURN_IF_ERROR(hook(append, writes));
    request.side_writes = std::move(writes);
    return Status::Ok();
  }

 private:
  EventStore& store_;
  std::vector<AppendHook<AppendInfo>> hooks_;
  std::array<HandoverMutex, kCommandLockStripes> command_locks_;
  std::mutex cache_mu_;
  LruMap<std::string, Entry> cache_;
};

}  // namespace relais::runtime
