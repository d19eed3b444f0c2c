#include "engine/notify/endpoint_disabler.h"

#include "engine/notify/webhook_keys.h"
#include "engine/util/time_format.h"
#include "engine/util/uuid.h"

namespace relais::notify {

EndpointDisabler::EndpointDisabler(EventStore& store, EndpointRegistry& registry, Logger& log)
    : store_(store), registry_(registry), log_(log), thread_([this] { Run(); }) {}

EndpointDisabler::~EndpointDisabler() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void EndpointDisabler::Disable(const std::string& endpoint_id, const std::string& reason) {
  {
    std::lock_guard lock(mu_);
    jobs_.push_back({endpoint_id, reason});
    in_progress_.insert(endpoint_id);
    ++queued_;
  }
  wake_.notify_one();
}

bool EndpointDisabler::InProgress(const std::string& endpoint_id) const {
  std::lock_guard lock(mu_);
  return in_progress_.count(endpoint_id) > 0;
}

void EndpointDisabler::Drain() {
  std::unique_lock lock(mu_);
  const uint64_t target = queued_;
  done_.wait(lock, [&] { return finished_ >= target; });
}

void EndpointDisabler::Run() {
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [&] { return stop_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stopping, and everything queued is done
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    DisableNow(job);
    lock.lock();
    in_progress_.erase(in_progress_.find(job.endpoint));
    ++finished_;
    done_.notify_all();
  }
}

void EndpointDisabler::DisableNow(const Job& job) {
  const std::string& endpoint_id = job.endpoint;
  auto fail = [&](const char* what, const Status& s) {
    log_.Error(std::string("webhooks: ") + what,
               {{"endpoint", endpoint_id}, {"reason", job.reason}, {"error", s.ToString()}});
  };
  auto changed = registry_.Disable(endpoint_id, job.reason);
  if (!changed.ok()) return fail("disabling an endpoint failed", changed.status());
  if (!*changed) return;  // already disabled: its notice was recorded then
  auto endpoint = registry_.Get(endpoint_id);
  if (!endpoint.ok()) return;  // deleted meanwhile
  AppendRequest request;
  request.stream_id = std::string(kWebhookSystemStream);
  NewEvent event;
  event.event_id = NameUuid("webhook-disabled/" + endpoint_id + "/" +
                            std::to_string(endpoint->disabled_at ? ToMicros(*endpoint->disabled_at) : 0));
  event.type = std::string(kEndpointDisabled);
  event.data = {
      {"endpoint", endpoint_id}, {"partner", endpoint->partner}, {"url", endpoint->url}, {"reason", job.reason}};
  event.metadata.actor = "relais:webhooks";
  request.events.push_back(std::move(event));
  auto version = store_.StreamVersion(request.stream_id);
  if (!version.ok()) return fail("recording that an endpoint was disabled failed", version.status());
  request.expected = *version == 0 ? ExpectedVersion::NoStream() : ExpectedVersion::Exact(*version);
  if (notice_hook_) notice_hook_(endpoint_id, endpoint->partner, *version + 1, request.events, request.side_writes);
  if (auto r = store_.Append(std::move(request)); !r.ok())
    return fail("recording that an endpoint was disabled failed", r.status());
  log_.Warn("webhooks: endpoint disabled",
            {{"endpoint", endpoint_id}, {"partner", endpoint->partner}, {"reason", job.reason}});
}

}  // namespace relais::notify
