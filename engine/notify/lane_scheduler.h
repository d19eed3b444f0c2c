// LaneScheduler: which webhook lanes (endpoint, project) have work and which
// may start an attempt now. A lane is in at most one of: ready (queued to
// start), busy (its attempt is in flight), waiting (for a retry time) or
// blocked (its endpoint has max_in_flight_per_endpoint attempts in flight;
// the lane starts when one of them ends). A lane delivers one entry at a
// time, so order per lane holds, while lanes do not wait for each other.
// It knows lanes by key ("<endpoint>/<project>") only: what a lane holds is
// in the store (QueueScanner).
//
// Thread-safety: not thread-safe; the dispatcher's I/O thread owns it.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>

#include "engine/util/clock.h"

namespace relais::notify {

class LaneScheduler {
 public:
  explicit LaneScheduler(size_t max_in_flight_per_endpoint) : max_in_flight_(max_in_flight_per_endpoint) {}

  // The endpoint of a lane key: what comes before its first '/'.
  static std::string EndpointOf(const std::string& lane);

  // The lane has work: it becomes ready, unless it is ready, busy, waiting
  // or blocked already (it then looks at its queue when that ends).
  void Enqueue(const std::string& lane);
  // The next ready lane that may start now, or nullopt when none is. Ready
  // lanes whose endpoint is at its limit are set aside (blocked) on the way;
  // when no ready lane is left, a blocked lane whose endpoint has a free
  // slot is returned (a slot is never left idle while a lane waits for it).
  // The caller then calls Started, WaitUntil, Enqueue or Forget for it.
  std::optional<std::string> NextToStart();
  // An attempt of the lane left: it is busy and holds one of its endpoint's slots.
  void Started(const std::string& lane);
  // The lane's attempt ended: it is no longer busy, and its endpoint's slot
  // goes to one lane blocked on it (which becomes ready).
  void Finished(const std::string& lane);
  // A known lane waits until `until` (a retry, or after a store error); no-op
  // for an unknown lane.
  void WaitUntil(const std::string& lane, TimePoint until);
  // Lanes whose wait ended by now become ready.
  void ReleaseDue(TimePoint now);
  // Forgets the lane (its queue is empty, or its endpoint inactive or gone).
  void Forget(const std::string& lane) { lanes_.erase(lane); }

  bool IsWaiting(const std::string& lane) const;
  // The earliest end of a wait, if any lane waits.
  std::optional<TimePoint> NextWake() const;
  // Lanes known (with work, in flight or waiting).
  size_t size() const { return lanes_.size(); }

 private:
  struct Lane {
    std::string endpoint;
    bool busy = false, queued = false, waiting = false, blocked = false;
  };
  Lane& Ensure(const std::string& key);

  const size_t max_in_flight_;
  std::unordered_map<std::string, Lane> lanes_;
  std::deque<std::string> ready_;
  std::multimap<TimePoint, std::string> waits_;
  std::unordered_map<std::string, std::deque<std::string>> blocked_;  // endpoint -> lanes
  std::unordered_map<std::string, size_t> in_flight_;                 // endpoint -> attempts
};

}  // namespace relais::notify
