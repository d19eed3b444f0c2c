// CommitFollower: runs a task on an Asio strand after store commits,
// coalescing bursts (at most one run pending at a time) so a busy store does
// not queue one run per commit. The read model and the timer scheduler follow
// the store this way instead of polling.
//
// Thread-safety: Start/Stop from one thread; the task runs on the strand.
#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "engine/store/event_store.h"

namespace relais::runtime {

class CommitFollower {
 public:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

  CommitFollower(Strand strand, EventStore& store, std::function<void()> task)
      : state_(std::make_shared<State>(std::move(strand), std::move(task))), store_(store) {}
  ~CommitFollower() { Stop(); }

  // Runs the task once now, then after commits.
  void Start() {
    std::weak_ptr<State> weak = state_;
    subscription_ = store_.Subscribe([weak](uint64_t) {
      if (auto s = weak.lock()) s->Trigger();
    });
    state_->Trigger();
  }
  // No run starts after Stop returns (one already running finishes).
  void Stop() {
    state_->stopped = true;
    subscription_.Reset();
  }
  // Requests a run (coalesced).
  void Trigger() { state_->Trigger(); }

 private:
  struct State : std::enable_shared_from_this<State> {
    State(Strand s, std::function<void()> t) : strand(std::move(s)), task(std::move(t)) {}
    void Trigger() {
      if (stopped || pending.exchange(true)) return;
      boost::asio::post(strand, [self = shared_from_this()] {
        self->pending = false;
        if (!self->stopped) self->task();
      });
    }
    Strand strand;
    std::function<void()> task;
    std::atomic<bool> pending{false};
    std::atomic<bool> stopped{false};
  };
  std::shared_ptr<State> state_;
  EventStore& store_;
  EventStore::Subscription subscription_;
};

}  // namespace relais::runtime
