#include "engine/server/connection_registry.h"

namespace relais::server {

ConnectionRegistry::ConnectionRegistry(ConnectionLimits limits) : limits_(limits) {}

ConnectionRegistry::AddResult ConnectionRegistry::TryAdd(std::weak_ptr<Connection> connection,
                                                         const std::string& client) {
  AddResult result;
  std::lock_guard<std::mutex> lock(mu_);
  if (draining_) {
    result.admission = Admission::kDraining;
    return result;
  }
  auto client_it = per_client_.find(client);
  if (client_it != per_client_.end() && client_it->second >= limits_.max_per_client) {
    result.admission = Admission::kClientFull;
    return result;
  }
  // Near the limit, an idle keep-alive connection costs its client only a
  // reconnect, while refusing the newcomer locks it out.
  if (counted_ >= limits_.reclaim_idle_at && !idle_.empty()) {
    Entry& victim = connections_.at(idle_.front());
    result.reclaimed = victim.connection.lock();
    UncountLocked(victim);
  }
  if (counted_ >= limits_.max_connections) {
    result.admission = Admission::kServerFull;
    return result;
  }
  result.admission = Admission::kAdmitted;
  result.id = next_id_++;
  connections_.emplace(result.id, Entry{std::move(connection), client, true, false, {}});
  ++per_client_[client];
  ++counted_;
  return result;
}

void ConnectionRegistry::MarkIdle(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = connections_.find(id);
  if (it == connections_.end() || it->second.idle || !it->second.counted) return;
  it->second.idle = true;
  it->second.idle_position = idle_.insert(idle_.end(), id);
}

void ConnectionRegistry::MarkBusy(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = connections_.find(id);
  if (it == connections_.end() || !it->second.idle) return;
  it->second.idle = false;
  idle_.erase(it->second.idle_position);
}

void ConnectionRegistry::UncountLocked(Entry& entry) {
  if (!entry.counted) return;
  entry.counted = false;
  --counted_;
  if (entry.idle) {
    entry.idle = false;
    idle_.erase(entry.idle_position);
  }
  auto client_it = per_client_.find(entry.client);
  if (client_it != per_client_.end() && --client_it->second == 0) per_client_.erase(client_it);
}

void ConnectionRegistry::Remove(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  UncountLocked(it->second);
  connections_.erase(it);
  if (connections_.empty()) empty_.notify_all();
}

size_t ConnectionRegistry::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return connections_.size();
}

size_t ConnectionRegistry::counted() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counted_;
}

size_t ConnectionRegistry::idle_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return idle_.size();
}

size_t ConnectionRegistry::client_count(const std::string& client) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = per_client_.find(client);
  return it == per_client_.end() ? 0 : it->second;
}

bool ConnectionRegistry::draining() const {
  std::lock_guard<std::mutex> lock(mu_);
  return draining_;
}

std::vector<std::shared_ptr<Connection>> ConnectionRegistry::StartDraining() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    draining_ = true;
  }
  return Live();
}

std::vector<std::shared_ptr<Connection>> ConnectionRegistry::Live() const {
  std::vector<std::shared_ptr<Connection>> out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [id, entry] : connections_) {
    if (auto c = entry.connection.lock()) out.push_back(std::move(c));
  }
  return out;
}

bool ConnectionRegistry::WaitUntilEmpty(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  return empty_.wait_until(lock, deadline, [this] { return connections_.empty(); });
}

}  // namespace relais::server
