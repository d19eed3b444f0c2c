// Copying a whole store into another (relais copy-store): RocksDB to
// PostgreSQL or back, through the EventStore contract, so any two stores
// work. Events keep their positions, versions, ids and recording times;
// snapshots and the key-value space (timers, outbox, read model, accounts...)
// follow. Run it with both servers stopped.
//
// Resumable: the target's log must be a prefix of the source's (the same
// event id at its last position); the copy goes on after it. Snapshots and
// key-value entries are copied again whole (idempotent writes).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "engine/store/event_store.h"

namespace relais {

struct CopyOptions {
  size_t page_events = 1024;  // events read, and appended in flight, at once
  size_t page_keys = 1024;    // key-value entries read and written at once
  // Called after each page of events: copied so far, the source's last position.
  std::function<void(uint64_t copied, uint64_t total)> progress;
};

struct CopyReport {
  uint64_t resumed_after = 0;  // the target's last position when the copy began
  uint64_t events = 0;         // events copied by this run
  size_t snapshots = 0;
  size_t kv_entries = 0;
};

// Errors: kFailedPrecondition when the target's log is not a prefix of the
// source's (another store's events) or an appended event did not land at its
// source position; the stores' errors.
StatusOr<CopyReport> CopyStore(EventStore& source, EventStore& target, const CopyOptions& options = {});

struct CopyCheck {
  uint64_t events = 0;
  size_t streams = 0;
  size_t kv_entries = 0;
  std::vector<std::string> differences;  // empty: the copy equals the source
};

// Compares the two stores: the last position, for every stream its event
// count and a SHA-256 digest of its events (ids, types, data, metadata,
// versions and positions), each snapshot, and the key-value space (count and
// digest). Errors: the stores'.
StatusOr<CopyCheck> VerifyCopy(EventStore& source, EventStore& target, const CopyOptions& options = {});

}  // namespace relais
