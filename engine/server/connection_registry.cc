#include "engine/server/connection_registry.h"

namespace relais::server {

ConnectionRegistry::ConnectionRegistry(size_t max_connections) : max_connections_(max_connections) {}

uint64_t ConnectionRegistry::TryAdd(std::weak_ptr<Connection> connection) {
  std::lock_guard<std::mutex> lock(mu_);
  if (draining_ || connections_.size() >= max_connections_) return 0;
  uint64_t id = next_id_++;
  connections_.emplace(id, std::move(connection));
  return id;
}

void ConnectionRegistry::Remove(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  connections_.erase(id);
  if (connections_.empty()) empty_.notify_all();
}

size_t ConnectionRegistry::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return connections_.size();
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
  for (const auto& [id, weak] : connections_) {
    if (auto c = weak.lock()) out.push_back(std::move(c));
  }
  return out;
}

bool ConnectionRegistry::WaitUntilEmpty(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  return empty_.wait_until(lock, deadline, [this] { return connections_.empty(); });
}

}  // namespace relais::server
