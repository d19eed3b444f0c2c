// CommitFollower: runs a task on an Asio strand after store commits,
// coalescing bursts (at most one run pending at a time) so a busy store does
// not queue one run per commit. The read model and the timer scheduler follow
// the store this way instead of polling. With a min_interval, runs start at
// least that far apart: the commits in between are one later run, and the
// strand's thread is not woken for each (the timer scheduler re-plans at
// most once per commit_recheck).
//
// Thread-safety: Start/Stop from one thread; the task runs on the strand.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "engine/store/event_store.h"

namespace relais::runtime {

class CommitFollower {
 public:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

  CommitFollower(Strand strand, EventStore& store, std::function<void()> task,
                 std::chrono::steady_clock::duration min_interval = {})
      : state_(std::make_shared<State>(std::move(strand), std::move(task), min_interval)), store_(store) {}
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
    using Steady = std::chrono::steady_clock;
    State(Strand s, std::function<void()> t, Steady::duration i)
        : strand(std::move(s)), timer(strand), task(std::move(t)), min_interval(i) {}
    void Trigger() {
      if (stopped || pending.exchange(true)) return;
      // Only the holder of `pending` touches the timer, until Run clears it.
      const Steady::time_point due = Steady::time_point(Steady::duration(last_run.load())) + min_interval;
      if (min_interval == Steady::duration::zero() || Steady::now() >= due) {
        boost::asio::post(strand, [self = shared_from_this()] { self->Run(); });
        return;
      }
      timer.expires_at(due);
      timer.async_wait([self = shared_from_this()](const boost::system::error_code&) { self->Run(); });
    }
    void Run() {
      last_run = Steady::now().time_since_epoch().count();
      pending = false;
      if (!stopped) task();
    }
    Strand strand;
    boost::asio::steady_timer timer;
    std::function<void()> task;
    const Steady::duration min_interval;
    std::atomic<Steady::rep> last_run{0};
    std::atomic<bool> pending{false};
    std::atomic<bool> stopped{false};
  };
  std::shared_ptr<State> state_;
  EventStore& store_;
  EventStore::Subscription subscription_;
};

}  // namespace relais::runtime
