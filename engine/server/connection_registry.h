// ConnectionRegistry: the open HTTP connections of one server, so the server
// can enforce its connection limits and drain them on shutdown. Knows
// connections only through the small Connection interface (no networking
// types).
//
// Limits (after nginx's keep-alive reuse): a client address holds at most
// max_per_client connections; once reclaim_idle_at connections are open, each
// newcomer closes the connection that has been idle between two requests the
// longest, so idle keep-alive sockets can never lock other clients out; only
// when max_connections are open and none of them is idle is a newcomer
// refused.
//
// Thread-safety: ConnectionRegistry is safe for concurrent access from
// multiple threads without any external synchronization.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace relais::server {

// One open connection, as the registry sees it. Every call returns at once
// and may be made from any thread; the work happens on the connection's own
// strand.
class Connection {
 public:
  virtual ~Connection() = default;
  // Finish the requests already read, then close; read no new ones.
  virtual void BeginDrain() = 0;
  // Close now, abandoning unfinished responses.
  virtual void ForceClose() = 0;
  // The registry reclaimed this connection: close it if it is still idle
  // between requests; if a request has begun meanwhile, answer it (with
  // Connection: close) and close then.
  virtual void CloseIdle() = 0;
};

struct ConnectionLimits {
  size_t max_connections = 1024;  // open connections at most
  size_t max_per_client = 1024;   // open connections of one client address at most
  size_t reclaim_idle_at = 1024;  // from this many open, a newcomer closes the oldest idle one
};

class ConnectionRegistry {
 public:
  explicit ConnectionRegistry(ConnectionLimits limits);

  enum class Admission { kAdmitted, kServerFull, kClientFull, kDraining };
  struct AddResult {
    Admission admission = Admission::kServerFull;
    uint64_t id = 0;  // > 0 when admitted
    // An idle connection reclaimed to make room: the caller calls its
    // CloseIdle() (outside the registry's lock). It no longer counts against
    // any limit, but stays registered (drained on shutdown) until removed.
    std::shared_ptr<Connection> reclaimed;
  };

  // Registers a connection from client (its address without the port).
  // Refuses it (id 0) when the registry is draining, when client already
  // holds max_per_client connections, or when max_connections are open and
  // none is idle.
  AddResult TryAdd(std::weak_ptr<Connection> connection, const std::string& client);
  // The connection waits for its next request with nothing to write
  // (MarkIdle), or has begun one (MarkBusy). New connections are busy.
  // Unknown ids are ignored.
  void MarkIdle(uint64_t id);
  void MarkBusy(uint64_t id);
  // Forgets id (from the connection's destructor). Unknown ids are ignored.
  void Remove(uint64_t id);

  // Registered connections (reclaimed ones included, until they close).
  size_t size() const;
  // Connections counted against the limits (size() minus reclaimed ones).
  size_t counted() const;
  size_t idle_count() const;
  size_t client_count(const std::string& client) const;
  bool draining() const;
  const ConnectionLimits& limits() const { return limits_; }

  // From now on TryAdd fails. Returns the live connections.
  std::vector<std::shared_ptr<Connection>> StartDraining();
  std::vector<std::shared_ptr<Connection>> Live() const;
  // Blocks until no connection is registered or deadline passes; returns
  // true if empty.
  bool WaitUntilEmpty(std::chrono::steady_clock::time_point deadline);

 private:
  struct Entry {
    std::weak_ptr<Connection> connection;
    std::string client;
    bool counted = true;  // false once reclaimed
    bool idle = false;
    std::list<uint64_t>::iterator idle_position;  // valid while idle
  };
  // Stops counting entry against the limits. REQUIRES: mu_ held.
  void UncountLocked(Entry& entry);

  const ConnectionLimits limits_;
  mutable std::mutex mu_;
  std::condition_variable empty_;
  std::map<uint64_t, Entry> connections_;
  std::list<uint64_t> idle_;                            // idle connection ids, longest idle first
  std::unordered_map<std::string, size_t> per_client_;  // counted connections per client
  size_t counted_ = 0;
  uint64_t next_id_ = 1;
  bool draining_ = false;
};

}  // namespace relais::server
