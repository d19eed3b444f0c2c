// ConnectionRegistry: the open HTTP connections of one server, so the server
// can enforce max_connections and drain them on shutdown. Knows connections
// only through the small Connection interface (no networking types).
//
// Thread-safety: ConnectionRegistry is safe for concurrent access from
// multiple threads without any external synchronization.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace relais::server {

// One open connection, as the registry sees it. Both calls return at once
// and may be made from any thread; the work happens on the connection's own
// strand.
class Connection {
 public:
  virtual ~Connection() = default;
  // Finish the requests already read, then close; read no new ones.
  virtual void BeginDrain() = 0;
  // Close now, abandoning unfinished responses.
  virtual void ForceClose() = 0;
};

class ConnectionRegistry {
 public:
  explicit ConnectionRegistry(size_t max_connections);

  // Registers a connection. Returns its id (> 0), or 0 when max_connections
  // are open or the registry is draining: the caller must then refuse it.
  uint64_t TryAdd(std::weak_ptr<Connection> connection);
  // Forgets id (from the connection's destructor). Unknown ids are ignored.
  void Remove(uint64_t id);
  size_t size() const;
  bool draining() const;

  // From now on TryAdd fails. Returns the live connections.
  std::vector<std::shared_ptr<Connection>> StartDraining();
  std::vector<std::shared_ptr<Connection>> Live() const;
  // Blocks until no connection is registered or deadline passes; returns
  // true if empty.
  bool WaitUntilEmpty(std::chrono::steady_clock::time_point deadline);

 private:
  const size_t max_connections_;
  mutable std::mutex mu_;
  std::condition_variable empty_;
  std::map<uint64_t, std::weak_ptr<Connection>> connections_;
  uint64_t next_id_ = 1;
  bool draining_ = false;
};

}  // namespace relais::server
