// LeaseKeeper: holds the store's lease on a piece of work (the background
// work of a cluster: docs/deploy.md) for this node, or waits for it. It
// renews the lease every renew_interval; a node that does not hold it tries
// to take it as often, so when the holder dies another node takes over
// within ttl + renew_interval. The holder stops (the gate closes) at its own
// deadline, ttl minus a tenth after the start of its last successful renewal,
// measured on its steady clock: before the database's expiry, at which
// another node may take over. Whatever it still writes carries its fence and
// is refused once the lease has a new token (event_store.h, Fence).
//
// Thread-safety: open(), fence(), token() and held_since() from any thread;
// Start and Stop from one thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "engine/store/work_gate.h"
#include "engine/util/log.h"

namespace relais::runtime {

struct LeaseOptions {
  std::chrono::milliseconds ttl{10'000};            // runtime.lease_ttl_ms
  std::chrono::milliseconds renew_interval{2'000};  // runtime.lease_renew_interval_ms; < ttl / 2
};

// A holder name for this process: host name, process id and a random part.
std::string NodeHolderName();

class LeaseKeeper final : public WorkGate {
 public:
  // Called on the keeper's thread when this node takes the lease (true) or
  // loses it (false); a re-take with a new token is a loss then a take.
  using ChangeHandler = std::function<void(bool held)>;

  // *store and *log must outlive the keeper.
  LeaseKeeper(EventStore& store, std::string lease, std::string holder, LeaseOptions options,
              Logger* log = &NullLogger());
  ~LeaseKeeper() override;
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

  // Tries once to take the lease (so a lone node starts its work at once),
  // then keeps trying and renewing on a thread of its own.
  void Start(ChangeHandler on_change);
  // Stops renewing and gives the lease up when held, so another node may
  // take over at once. The gate is closed when Stop returns.
  void Stop();

  bool open() const override;
  std::optional<Fence> fence() const override;
  const std::string& holder() const { return holder_; }

 private:
  using Steady = std::chrono::steady_clock;
  // One attempt: take or renew; updates the state and calls on_change_.
  void Attempt();
  void Run();
  void Set(bool held, uint64_t token, Steady::time_point deadline);

  EventStore& store_;
  const std::string lease_;
  const std::string holder_;
  const LeaseOptions options_;
  Logger& log_;
  ChangeHandler on_change_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  bool held_ = false;
  Steady::time_point deadline_{};
  std::optional<Fence> fence_;
  bool unreachable_logged_ = false;  // the keeper thread's
  std::thread thread_;
};

}  // namespace relais::runtime
