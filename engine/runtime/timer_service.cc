#include "engine/runtime/timer_service.h"

#include "engine/runtime/timer_writes.h"

#include <algorithm>
#include <atomic>

namespace relais::runtime {

TimerService::TimerService(EventStore& store, ProjectService& projects, const Clock& clock, TimerOptions options)
    : store_(store),
      projects_(projects),
      clock_(clock),
      options_(options),
      pool_(std::max<size_t>(1, options.fire_threads)) {}

struct TimerService::Burst {
  std::mutex mu;
  FireReport report;
  Status error = Status::Ok();
  std::atomic<bool> failed{false};  // then the runs not yet started are left due
};

StatusOr<FireReport> TimerService::FireDue() {
  std::lock_guard lock(fire_mu_);
  FireReport report;
  const std::string bound = DueKeyBound(clock_.Now());
  // Most calls find nothing due (the scheduler re-checks after commits): one
  // key answers that, where a page would read fire_batch timers for nothing.
  RELAIS_ASSIGN_OR_RETURN(auto first, store_.KvScan(std::string(kTimerDuePrefix), "", 1));
  if (first.empty() || first.front().key >= bound) return report;
  Burst burst;
  // A stream's consecutive due timers go to the pool as one run, under the
  // stream's key: the pool keeps each stream's runs in order, one at a time.
  std::vector<DueTimer> run;
  size_t run_route = 0;
  auto hand_over = [&] {
    if (run.empty()) return;
    const std::string key = std::to_string(run_route) + "/" + run.front().project_id;
    pool_.Submit(key, [this, route = run_route, timers = std::move(run), &burst] { FireRun(route, timers, burst); });
    run = {};
  };
  Status scan = Status::Ok();
  std::string after;
  while (!burst.failed) {
    auto page = store_.KvScan(std::string(kTimerDuePrefix), after, options_.fire_batch);
    if (!page.ok()) {
      scan = page.status();
      break;
    }
    bool done = page->size() < options_.fire_batch;
    for (const KvEntry& entry : *page) {
      if (entry.key >= bound) {
        done = true;
        break;
      }
      auto json = ParseJson(entry.value);
      auto timer = json.ok() ? DueTimer::FromJson(*json) : StatusOr<DueTimer>(json.status());
      if (!timer.ok()) {  // unreadable: remove it rather than retry it forever
        KvWrites drop;
        drop.Delete(entry.key);
        if (Status s = store_.KvWrite(drop); !s.ok()) {
          scan = s;
          break;
        }
        ++report.refused;
        continue;
      }
      size_t route = routes_.size();
      for (size_t r = 0; r < routes_.size(); ++r)
        if (timer->fires.rfind(routes_[r].first, 0) == 0) {
          route = r;
          break;
        }
      if (!run.empty() && (route != run_route || timer->project_id != run.front().project_id)) hand_over();
      run_route = route;
      run.push_back(std::move(*timer));
    }
    hand_over();  // the pool works on this page while the next is read
    if (!scan.ok() || done || page->empty()) break;
    after = page->back().key;
  }
  hand_over();
  pool_.Wait();
  report.fired += burst.report.fired;
  report.refused += burst.report.refused;
  if (!scan.ok()) return scan;
  if (!burst.error.ok()) return burst.error;
  return report;
}

void TimerService::RouteFires(std::string prefix, FireHandler handler) {
  routes_.emplace_back(std::move(prefix), std::move(handler));
}

void TimerService::FireRun(size_t route, const std::vector<DueTimer>& timers, Burst& burst) {
  if (burst.failed) return;
  FireReport mine;
  Status error = Status::Ok();
  if (route < routes_.size()) {
    auto fired = routes_[route].second(timers);
    if (fired.ok()) {
      mine.fired += *fired;
      mine.refused += timers.size() - *fired;
    } else {
      error = fired.status();
    }
  } else {
    for (const DueTimer& t : timers) {
      error = FireOne(t, mine);
      if (!error.ok()) break;
    }
  }
  std::lock_guard lock(burst.mu);
  burst.report.fired += mine.fired;
  burst.report.refused += mine.refused;
  if (!error.ok() && burst.error.ok()) {
    burst.error = error;
    burst.failed = true;
  }
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
