// EndpointDisabler: disables webhook endpoints on a worker thread of its
// own, so the dispatcher's I/O thread never waits for the disk: each
// Disable marks the endpoint disabled in the registry (with its reason),
// then appends webhook_endpoint_disabled to the relais-webhooks stream,
// with the deliveries the notice hook adds (the partner's other endpoints
// are told) in the same batch. This worker is the stream's only writer, so
// its version cannot move between reading and appending.
//
// Thread-safety: every member is safe from any thread, except
// SetNoticeHook (before the first Disable). *store, *registry and *log must
// outlive it; the destructor finishes what is queued.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engine/notify/endpoint_registry.h"
#include "engine/store/event_store.h"
#include "engine/util/log.h"

namespace relais::notify {

class EndpointDisabler {
 public:
  // Adds deliveries of the notice to the batch that records it: first_version
  // is the notice's version in the relais-webhooks stream.
  using NoticeHook = std::function<void(const std::string& disabled_endpoint, const std::string& partner,
                                        uint64_t first_version, const std::vector<NewEvent>& events, KvWrites& writes)>;

  EndpointDisabler(EventStore& store, EndpointRegistry& registry, Logger& log);
  ~EndpointDisabler();
  EndpointDisabler(const EndpointDisabler&) = delete;
  EndpointDisabler& operator=(const EndpointDisabler&) = delete;

  void SetNoticeHook(NoticeHook hook) { notice_hook_ = std::move(hook); }

  // Queues the disabling of endpoint_id for reason; returns at once. Store
  // errors are logged (error level) and the endpoint stays as it was.
  void Disable(const std::string& endpoint_id, const std::string& reason);
  // Whether a Disable of endpoint_id is queued or under way: until it is
  // done, the registry may still show the endpoint active.
  bool InProgress(const std::string& endpoint_id) const;
  // Returns once every Disable queued before the call is done.
  void Drain();

 private:
  struct Job {
    std::string endpoint;
    std::string reason;
  };
  void Run();
  void DisableNow(const Job& job);

  EventStore& store_;
  EndpointRegistry& registry_;
  Logger& log_;
  NoticeHook notice_hook_;
  mutable std::mutex mu_;
  std::condition_variable wake_;  // the worker: a job, or stop
  std::condition_variable done_;  // Drain: a job was done
  std::deque<Job> jobs_;
  std::multiset<std::string> in_progress_;  // endpoints of queued and running jobs
  uint64_t queued_ = 0;                     // jobs queued so far
  uint64_t finished_ = 0;                   // jobs done so far
  bool stop_ = false;
  std::thread thread_;  // last: starts once the rest is built
};

}  // namespace relais::notify
