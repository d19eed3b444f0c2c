#include "engine/store/recent_events.h"

namespace relais {

void RecentEvents::Add(std::vector<RecordedEvent> events) {
  if (capacity_ == 0) return;
  std::lock_guard lock(mu_);
  for (RecordedEvent& e : events) {
    const uint64_t position = e.position;
    by_position_.try_emplace(position, std::move(e));
  }
  while (by_position_.size() > capacity_) by_position_.erase(by_position_.begin());
}

std::vector<RecordedEvent> RecentEvents::Take(uint64_t from, size_t max_count, uint64_t last) const {
  std::vector<RecordedEvent> out;
  std::lock_guard lock(mu_);
  for (auto it = by_position_.find(from);
       it != by_position_.end() && it->first == from && from <= last && out.size() < max_count; ++it, ++from)
    out.push_back(it->second);
  return out;
}

void RecentEvents::Clear() {
  std::lock_guard lock(mu_);
  by_position_.clear();
}

size_t RecentEvents::size() const {
  std::lock_guard lock(mu_);
  return by_position_.size();
}

}  // namespace relais
