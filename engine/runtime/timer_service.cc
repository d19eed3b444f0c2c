#include "engine/runtime/timer_service.h"

#include "engine/runtime/timer_writes.h"

#include <algorithm>
#include <atomic>
#include <thread>

namespace relais::runtime {

TimerService::TimerService(EventStore& store, ProjectService& projects, const Clock& clock, TimerOptions options)
    : store_(store), projects_(projects), clock_(clock), options_(options) {}

StatusOr<FireReport> TimerService::FireDue() {
  std::lock_guard lock(fire_mu_);
  FireReport report;
  const std::string bound = DueKeyBound(clock_.Now());
  // Most calls find nothing due (the scheduler re-checks after commits): one
  // key answers that, where a page would read fire_batch timers for nothing.
  RELAIS_ASSIGN_OR_RETURN(auto first, store_.KvScan(std::string(kTimerDuePrefix), "", 1));
  if (first.empty() || first.front().key >= bound) return report;
  std::string after;
  while (true) {
    RELAIS_ASSIGN_OR_RETURN(auto page, store_.KvScan(std::string(kTimerDuePrefix), after, options_.fire_batch));
    bool done = page.size() < options_.fire_batch;
    // (route, stream) -> its due timers of this page, in due order.
    std::map<std::pair<size_t, std::string>, std::vector<DueTimer>> routed;
    for (const KvEntry& entry : page) {
      if (entry.key >= bound) {
        done = true;
        break;
      }
      auto json = ParseJson(entry.value);
      auto timer = json.ok() ? DueTimer::FromJson(*json) : StatusOr<DueTimer>(json.status());
      if (!timer.ok()) {  // unreadable: remove it rather than retry it forever
        KvWrites drop;
        drop.Delete(entry.key);
        RELAIS_RETURN_IF_ERROR(store_.KvWrite(drop));
        ++report.refused;
        continue;
      }
      size_t route = routes_.size();
      for (size_t r = 0; r < routes_.size(); ++r)
        if (timer->fires.rfind(routes_[r].first, 0) == 0) {
          route = r;
          break;
        }
      if (route < routes_.size()) {
        routed[{route, timer->project_id}].push_back(std::move(*timer));
        continue;
      }
      RELAIS_RETURN_IF_ERROR(FireOne(*timer, report));
    }
    RELAIS_RETURN_IF_ERROR(FireRouted(routed, report));
    if (done || page.empty()) return report;
    after = page.back().key;
  }
}

void TimerService::RouteFires(std::string prefix, FireHandler handler) {
  routes_.emplace_back(std::move(prefix), std::move(handler));
}

Status TimerService::FireRouted(std::map<std::pair<size_t, std::string>, std::vector<DueTimer>>& groups,
                                FireReport& report) {
  if (groups.empty()) return Status::Ok();
  std::vector<std::pair<size_t, std::vector<DueTimer>*>> work;
  for (auto& [key, timers] : groups) work.push_back({key.first, &timers});
  std::atomic<size_t> next{0};
  std::atomic<size_t> fired{0}, total{0};
  std::mutex error_mu;
  Status error = Status::Ok();
  auto run = [&] {
    for (size_t i = next++; i < work.size(); i = next++) {
      auto result = routes_[work[i].first].second(*work[i].second);
      if (!result.ok()) {
        std::lock_guard lock(error_mu);
        if (error.ok()) error = result.status();
        continue;
      }
      fired += *result;
      total += work[i].second->size();
    }
  };
  const size_t threads = std::min(work.size(), std::max<size_t>(1, options_.routed_fire_threads));
  if (threads <= 1) {
    run();
  } else {
    std::vector<std::thread> pool;
    for (size_t t = 0; t < threads; ++t) pool.emplace_back(run);
    for (auto& t : pool) t.join();
  }
  report.fired += fired;
  report.refused += total - fired;
  return error;
}

Status TimerService::FireOne(const DueTimer& timer, FireReport& report) {
  CommandRequest request;
  request.project_id = timer.project_id;
  request.event_type = timer.fires;
  request.actor = {"system:timers", {"system"}};
  request.idempotency_key = "timer/" + timer.DueKey();
  request.firing = timer;
  auto outcome = projects_.Execute(std::move(request));
  if (outcome.ok() && !outcome->refusal) {
    ++report.fired;
    return Status::Ok();
  }
  if (!outcome.ok() && outcome.status().code() != StatusCode::kNotFound) return outcome.status();
  // Refused (the timer is stale) or its project is gone: remove the timer.
  KvWrites drop;
  RELAIS_RETURN_IF_ERROR(TimerWrites(store_, drop).Consume(timer).status());
  RELAIS_RETURN_IF_ERROR(store_.KvWrite(drop));
  ++report.refused;
  return Status::Ok();
}

StatusOr<std::optional<TimePoint>> TimerService::NextDue() {
  RELAIS_ASSIGN_OR_RETURN(auto first, store_.KvScan(std::string(kTimerDuePrefix), "", 1));
  if (first.empty()) return std::optional<TimePoint>();
  RELAIS_ASSIGN_OR_RETURN(Json json, ParseJson(first[0].value));
  RELAIS_ASSIGN_OR_RETURN(DueTimer timer, DueTimer::FromJson(json));
  return std::optional<TimePoint>(timer.due);
}

StatusOr<std::vector<DueTimer>> TimerService::PendingFor(const std::string& project_id) {
  std::vector<DueTimer> out;
  RELAIS_ASSIGN_OR_RETURN(auto refs, store_.KvScan(TimerOfKey(project_id, ""), "", 1000));
  for (const KvEntry& ref : refs) {
    RELAIS_ASSIGN_OR_RETURN(auto value, store_.KvGet(ref.value));
    if (!value) continue;
    RELAIS_ASSIGN_OR_RETURN(Json json, ParseJson(*value));
    RELAIS_ASSIGN_OR_RETURN(DueTimer timer, DueTimer::FromJson(json));
    out.push_back(std::move(timer));
  }
  return out;
}

}  // namespace relais::runtime
