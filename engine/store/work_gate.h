// WorkGate: whether this node may do its background work now (it holds the
// work's lease), and the fence its writes of that work carry. The
// background units (the timer scheduler, the webhook and e-mail
// dispatchers, the lateness sweep, spawning) look at it before each piece of
// work; a null gate is always open, with no fence (one node, tests).
// runtime/lease_keeper.h keeps one on a lease of the store.
//
// Thread-safety: implementations are safe from any thread.
#pragma once

#include <optional>

#include "engine/store/event_store.h"

namespace relais {

class WorkGate {
 public:
  virtual ~WorkGate() = default;
  // True while this node holds the lease (and its local deadline has not
  // passed).
  virtual bool open() const = 0;
  // The fence of this node's last holding, kept after it is lost so that
  // late writes of that holding are refused; nullopt before the first.
  virtual std::optional<Fence> fence() const = 0;
};

// Open when gate is null.
inline bool GateOpen(const WorkGate* gate) { return gate == nullptr || gate->open(); }

}  // namespace relais
