// LocalLeases: the leases of an embedded store (memory, RocksDB), held in
// the process that owns the store: one process per store, so a lease here
// coordinates the threads or holders of that process (and tests of the
// contract). Expiry is measured on the steady clock; tokens start at 1 with
// each process (no write of an earlier process can be in flight).
//
// Thread-safety: safe for concurrent access from multiple threads without
// any external synchronization.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

#include "engine/store/event_store.h"

namespace relais {

// Checks a lease request's arguments, the same for every store.
// Errors: kInvalidArgument saying which is wrong.
Status ValidateLeaseRequest(const std::string& lease, const std::string& holder, std::chrono::milliseconds ttl);

// The refusal of a write whose fence is stale (the same text on every store).
Status StaleFence(const Fence& fence, uint64_t current_token);

class LocalLeases {
 public:
  StatusOr<LeaseGrant> Acquire(const std::string& lease, const std::string& holder, std::chrono::milliseconds ttl);
  Status Release(const std::string& lease, const std::string& holder);
  // Runs write under the leases' lock when fence (if any) is current, so no
  // lease changes hands during it; else refuses it (StaleFence) unrun.
  Status Fenced(const std::optional<Fence>& fence, const std::function<Status()>& write);

 private:
  struct Held {
    std::string holder;
    uint64_t token = 0;
    std::chrono::steady_clock::time_point expires;
  };
  std::mutex mu_;
  std::unordered_map<std::string, Held> leases_;
};

}  // namespace relais
