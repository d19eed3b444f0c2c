#include "engine/notify/lane_scheduler.h"

namespace relais::notify {

std::string LaneScheduler::EndpointOf(const std::string& lane) { return lane.substr(0, lane.find('/')); }

LaneScheduler::Lane& LaneScheduler::Ensure(const std::string& key) {
  auto [it, inserted] = lanes_.try_emplace(key);
  if (inserted) it->second.endpoint = EndpointOf(key);
  return it->second;
}

void LaneScheduler::Enqueue(const std::string& key) {
  Lane& lane = Ensure(key);
  if (lane.busy || lane.queued || lane.waiting || lane.blocked) return;
  lane.queued = true;
  ready_.push_back(key);
}

std::optional<std::string> LaneScheduler::NextToStart() {
  while (!ready_.empty()) {
    std::string key = std::move(ready_.front());
    ready_.pop_front();
    auto it = lanes_.find(key);
    if (it == lanes_.end()) continue;
    Lane& lane = it->second;
    lane.queued = false;
    if (lane.busy) continue;
    auto flying = in_flight_.find(lane.endpoint);
    if (flying != in_flight_.end() && flying->second >= max_in_flight_) {
      lane.blocked = true;
      blocked_[lane.endpoint].push_back(std::move(key));
      continue;
    }
    return key;
  }
  // A slot freed by Finished went to a blocked lane that then did not start
  // (its queue was empty, or it waits): the slot is still free, so a lane
  // blocked on that endpoint starts now rather than at the next Finished,
  // which may never come.
  for (auto it = blocked_.begin(); it != blocked_.end();) {
    auto flying = in_flight_.find(it->first);
    if (flying != in_flight_.end() && flying->second >= max_in_flight_) {
      ++it;
      continue;
    }
    while (!it->second.empty()) {
      std::string key = std::move(it->second.front());
      it->second.pop_front();
      auto lane = lanes_.find(key);
      if (lane == lanes_.end() || !lane->second.blocked) continue;
      lane->second.blocked = false;
      if (it->second.empty()) blocked_.erase(it);
      return key;
    }
    it = blocked_.erase(it);
  }
  return std::nullopt;
}

void LaneScheduler::Started(const std::string& key) {
  Lane& lane = Ensure(key);
  lane.busy = true;
  ++in_flight_[lane.endpoint];
}

void LaneScheduler::Finished(const std::string& key) {
  if (auto it = lanes_.find(key); it != lanes_.end()) it->second.busy = false;
  const std::string endpoint = EndpointOf(key);
  if (auto flying = in_flight_.find(endpoint); flying != in_flight_.end() && --flying->second == 0)
    in_flight_.erase(flying);
  auto it = blocked_.find(endpoint);
  if (it == blocked_.end()) return;
  while (!it->second.empty()) {
    std::string next = std::move(it->second.front());
    it->second.pop_front();
    auto lane = lanes_.find(next);
    if (lane == lanes_.end()) continue;
    lane->second.blocked = false;
    Enqueue(next);
    break;
  }
  if (it->second.empty()) blocked_.erase(it);
}

void LaneScheduler::WaitUntil(const std::string& key, TimePoint until) {
  auto it = lanes_.find(key);
  if (it == lanes_.end()) return;
  it->second.waiting = true;
  waits_.emplace(until, key);
}

void LaneScheduler::ReleaseDue(TimePoint now) {
  while (!waits_.empty() && waits_.begin()->first <= now) {
    std::string key = std::move(waits_.begin()->second);
    waits_.erase(waits_.begin());
    auto it = lanes_.find(key);
    if (it == lanes_.end()) continue;
    it->second.waiting = false;
    Enqueue(key);
  }
}

bool LaneScheduler::IsWaiting(const std::string& key) const {
  auto it = lanes_.find(key);
  return it != lanes_.end() && it->second.waiting;
}

std::optional<TimePoint> LaneScheduler::NextWake() const {
  if (waits_.empty()) return std::nullopt;
  return waits_.begin()->first;
}

}  // namespace relais::notify
