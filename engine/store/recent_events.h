// RecentEvents: the last events of the global log a node committed itself or
// was handed in another node's commit notification, kept in memory so that
// the readers that follow the log (the read model, live event streams) find
// them without a query (PostgresEventStore::ReadAll, docs/storage.md).
//
// It holds at most `capacity` events, the highest positions seen; positions
// need not be contiguous (another node's notification may come late or be
// lost). Take serves only a contiguous run from the asked position, so a hole
// is always read from the database: an event is either the one committed at
// that position or not served at all.
//
// Thread-safety: safe for concurrent access from multiple threads without any
// external synchronization.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <vector>

#include "engine/store/event.h"

namespace relais {

class RecentEvents {
 public:
  explicit RecentEvents(size_t capacity) : capacity_(capacity) {}

  // Keeps events (committed, each at its own position); the lowest positions
  // go when more than capacity are held. An event already held is kept as is.
  void Add(std::vector<RecordedEvent> events);
  // The events at from, from + 1, ... while held, at most max_count, none
  // above last. Empty when from is not held.
  std::vector<RecordedEvent> Take(uint64_t from, size_t max_count, uint64_t last) const;
  size_t size() const;
  // Forgets every event held.
  void Clear();

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::map<uint64_t, RecordedEvent> by_position_;
};

}  // namespace relais
