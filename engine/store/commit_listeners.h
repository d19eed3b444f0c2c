// CommitListeners: the registry behind EventStore::Subscribe, shared by the
// store implementations.
//
// Thread-safety: safe for concurrent access from multiple threads without any
// external synchronization. Notify() must not be called from a listener.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

#include "engine/store/event_store.h"

namespace relais {

class CommitListeners {
 public:
  CommitListeners() : state_(std::make_shared<State>()) {}

  // The returned Subscription may outlive this registry.
  EventStore::Subscription Add(EventStore::CommitListener listener) {
    std::weak_ptr<State> weak = state_;
    uint64_t id;
    {
      std::lock_guard lock(state_->mu);
      id = state_->next_id++;
      state_->listeners.emplace(id, std::move(listener));
    }
    return EventStore::Subscription([weak, id] {
      if (auto state = weak.lock()) {
        std::lock_guard lock(state->mu);
        state->listeners.erase(id);
      }
    });
  }

  void Notify(uint64_t last_position) {
    std::lock_guard lock(state_->mu);
    for (auto& [id, listener] : state_->listeners) listener(last_position);
  }

 private:
  struct State {
    std::mutex mu;  // held while listeners run, so Reset() waits for a running one
    uint64_t next_id = 1;
    std::map<uint64_t, EventStore::CommitListener> listeners;
  };
  std::shared_ptr<State> state_;
};

}  // namespace relais
